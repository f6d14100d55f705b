"""Wix bookings into bookings, orders, payments, redemptions and attendance.

Imported history is kept as it happened, so the guards of
`bookings.service.book` (participants per booking, capacity, the service's
payment options today) are not applied; wherever the history breaks one, the
report says so. Each booking is imported in its own savepoint: a record the
domain refuses is skipped with the reason and leaves no part of itself behind.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session as Db

from frontdesk.attendance.models import Attendance, AttendanceStatus
from frontdesk.attendance.service import set_attendance
from frontdesk.bookings.models import ENDED_STATUSES, Booking, BookingStatus
from frontdesk.catalog.models import PaymentOption, Service, ServiceType
from frontdesk.clock import in_zone
from frontdesk.errors import FrontdeskError
from frontdesk.events.service import record_event
from frontdesk.imports.wix_catalog import (
    ImportRun,
    booking_option,
    by_ref,
    external_ref,
    session_key,
)
from frontdesk.imports.wix_records import WixBooking
from frontdesk.imports.wix_report import ImportReport, RecordKind
from frontdesk.money import Money, MoneyError
from frontdesk.orders.models import LineKind, Order, OrderLine
from frontdesk.orders.service import (
    add_line,
    measure,
    note_activity,
    open_order,
    order_lines,
    settle,
    void_booking_line,
)
from frontdesk.payments.models import Payment, PaymentMethod
from frontdesk.payments.service import record_payment
from frontdesk.plans.eligibility import Charge
from frontdesk.plans.service import redeem
from frontdesk.sessions.models import Session
from frontdesk.sessions.service import booked_participants

STATUSES = {
    "CREATED": BookingStatus.CREATED,
    "CONFIRMED": BookingStatus.CONFIRMED,
    "PENDING": BookingStatus.PENDING,
    "CANCELED": BookingStatus.CANCELED,
    "DECLINED": BookingStatus.DECLINED,
    "WAITING_LIST": BookingStatus.WAITING_LIST,
}
PAYMENT_METHODS = {
    "inPerson": PaymentMethod.CASH,
    "offline": PaymentMethod.BANK_TRANSFER,
    "payPal": PaymentMethod.ONLINE,
}


def import_bookings(run: ImportRun, bookings: list[WixBooking]) -> None:
    """Import in the order the bookings were made, which is the roster order."""
    unoffered: dict[str, Counter[PaymentOption]] = defaultdict(Counter)
    for record in bookings:
        booking = _import_booking(run, record)
        if booking is None:
            continue
        service = run.services[record.service_id]
        if booking.payment_option.value not in service.payment_options:
            unoffered[record.service_id][booking.payment_option] += 1
    _note_unoffered(run, unoffered)
    _fit_capacity(run)


def _import_booking(run: ImportRun, record: WixBooking) -> Booking | None:
    found = by_ref(run.db, Booking, external_ref("booking", record.id))
    if found is not None:
        _count_existing(run, found, record)
        return None
    reason = _unimportable(run, record)
    if reason is not None:
        run.report.skip(RecordKind.BOOKING, record.id, reason)
        return None
    staged = ImportReport()
    try:
        with run.db.begin_nested():
            booking = _create_booking(run, record, staged)
    except (FrontdeskError, MoneyError) as exc:
        run.report.skip(RecordKind.BOOKING, record.id, str(exc))
        return None
    run.report.merge(staged)
    return booking


def _unimportable(run: ImportRun, record: WixBooking) -> str | None:
    service = run.services.get(record.service_id)
    if service is None:
        return f"its service {record.service_id} was not imported"
    if record.status not in STATUSES:
        return f"Wix status {record.status} has no Frontdesk equivalent"
    if record.participants < 1:
        return "it has no participants"
    if session_key(record) not in run.sessions:
        return "its session was not imported"
    if record.is_course != (service.type is ServiceType.COURSE):
        shape = "a set of sessions" if record.is_course else "a single session"
        return f"it books {shape} of a {service.type} service"
    final = record.final_price
    if final is not None and final.currency != record.rate.currency:
        return f"priced in {record.rate.currency} but charged in {final.currency}"
    if record.plan_name and (record.plan_name, record.contact.contact_id) not in (
        run.memberships
    ):
        return f"its plan {record.plan_name!r} was not imported"
    return None


def _create_booking(
    run: ImportRun, record: WixBooking, report: ImportReport
) -> Booking:
    service = run.services[record.service_id]
    session = run.sessions[session_key(record)]
    booking = _insert_booking(run, record, service, session)
    report.created(RecordKind.BOOKING)
    order, line = _open_order(run, record, booking, service, session, report)
    live = booking.status not in ENDED_STATUSES
    if record.plan_name is not None:
        if live:
            _redeem(run, record, booking, session, order, line)
        _note_unrecorded_money(record, order, report)
    else:
        _record_received(run, record, order, report)
    if live:
        settle(run.db, order)
    else:
        # An ended booking owes nothing (invariant 2); money already taken
        # stays on the order until it is refunded.
        void_booking_line(run.db, booking=booking)
    _import_attendance(run, record, booking, report)
    _note_policy(record, service, report)
    return booking


def _insert_booking(
    run: ImportRun, record: WixBooking, service: Service, session: Session
) -> Booking:
    booking = Booking(
        service_id=service.id,
        session_id=None if record.is_course else session.id,
        contact_id=run.contacts[record.contact.contact_id].id,
        participants=record.participants,
        status=STATUSES[record.status],
        payment_option=booking_option(record),
        roster_position=_next_roster_position(run.db, service, session),
        external_ref=external_ref("booking", record.id),
        created_at=record.created,
    )
    run.db.add(booking)
    run.db.flush()
    # Not "booking.created": history moving in must not look like new
    # bookings to a receiver that sends confirmations for those.
    record_event(
        run.db,
        type="booking.imported",
        subject_id=booking.id,
        data={
            "booking_id": str(booking.id),
            "session_id": str(booking.session_id) if booking.session_id else None,
            "service_id": str(booking.service_id),
            "contact_id": str(booking.contact_id),
            "participants": booking.participants,
            "status": booking.status.value,
            "external_ref": booking.external_ref,
        },
    )
    return booking


def _next_roster_position(db: Db, service: Service, session: Session) -> int:
    # As bookings.service numbers a live booking: per session, or per service
    # for a course, whose one booking covers all its sessions.
    is_course = service.type is ServiceType.COURSE
    column = Booking.service_id if is_course else Booking.session_id
    key = service.id if is_course else session.id
    last = db.scalar(
        select(func.coalesce(func.max(Booking.roster_position), 0)).where(column == key)
    )
    return int(last or 0) + 1


def _open_order(
    run: ImportRun,
    record: WixBooking,
    booking: Booking,
    service: Service,
    session: Session,
    report: ImportReport,
) -> tuple[Order, OrderLine]:
    unit_minor, quantity = _charge(record, report)
    order = open_order(
        run.db, contact_id=booking.contact_id, currency=record.rate.currency
    )
    ref = external_ref("booking-order", record.id)
    if record.wix_order_id is not None:
        ref = _unused_ref(
            run.db, Order, external_ref("order", record.wix_order_id), ref
        )
    order.external_ref = ref
    # The Wix order was opened when the booking was made, not on import day.
    order.created_at = record.created
    booking.order_id = order.id
    starts = in_zone(session.start_at, session.timezone).isoformat()
    line = add_line(
        run.db,
        order=order,
        kind=LineKind.BOOKING,
        description=f"{service.name}, {starts}",
        unit_price_minor=unit_minor,
        quantity=quantity,
        booking_id=booking.id,
    )
    report.created(RecordKind.ORDER)
    return order, line


def _charge(record: WixBooking, report: ImportReport) -> tuple[int, int]:
    """Unit price and quantity of the booking's line: the rate per participant,
    unless the export charged something else (a coupon), which then wins."""
    rate = Money.parse(record.rate.amount, record.rate.currency)
    expected = rate.times(record.participants)
    if record.final_price is None:
        return rate.minor, record.participants
    final = Money.parse(record.final_price.amount, record.final_price.currency)
    _note_deposit(record, final, report)
    if final == expected:
        return rate.minor, record.participants
    report.adjust(
        RecordKind.BOOKING,
        record.id,
        f"charged {_text(final)} (the export's finalPrice), not the rate "
        f"{_text(rate)} x {record.participants} = {_text(expected)}",
    )
    if final.minor % record.participants == 0:
        return final.minor // record.participants, record.participants
    return final.minor, 1


def _note_deposit(record: WixBooking, final: Money, report: ImportReport) -> None:
    assert record.final_price is not None
    deposit = Money.parse(record.final_price.down_pay, final.currency)
    received = Money.parse(record.amount_received, final.currency)
    if deposit.is_zero() or not received.is_zero() or record.plan_name:
        return
    report.adjust(
        RecordKind.BOOKING,
        record.id,
        f"a deposit of {_text(deposit)} was asked first (downPayAmount) and nothing "
        f"was received: the whole {_text(final)} is due",
    )


def _record_received(
    run: ImportRun, record: WixBooking, order: Order, report: ImportReport
) -> None:
    received = Money.parse(record.amount_received, order.currency)
    if received.is_zero():
        return
    due = order.money(measure(run.db, order, order_lines(run.db, order.id)).due)
    if received > due:
        report.adjust(
            RecordKind.PAYMENT,
            record.tx_id or record.id,
            f"booking {record.id}: {_text(received)} received but {_text(due)} "
            f"charged; {_text(due)} recorded",
        )
        received = due
    if received.is_zero():
        return
    method = PAYMENT_METHODS.get(record.vendor or "")
    if method is None:
        method = PaymentMethod.ONLINE
        report.adjust(
            RecordKind.PAYMENT,
            record.tx_id or record.id,
            f"payment vendor {record.vendor} is not known; recorded as online",
        )
    fallback = external_ref("payment", "booking", record.id)
    ref = fallback
    if record.tx_id is not None:
        ref = _unused_ref(
            run.db, Payment, external_ref("payment", record.tx_id), fallback
        )
    record_payment(
        run.db,
        order=order,
        method=method,
        amount=received,
        reference=record.tx_id,
        external_ref=ref,
    )
    report.created(RecordKind.PAYMENT)


def _unused_ref(
    db: Db, model: type[Order] | type[Payment], ref: str, fallback: str
) -> str:
    # One Wix checkout can pay for several bookings under one order and one
    # transaction id; each booking here has its own order and payment.
    return ref if by_ref(db, model, ref) is None else fallback


def _redeem(
    run: ImportRun,
    record: WixBooking,
    booking: Booking,
    session: Session,
    order: Order,
    line: OrderLine,
) -> None:
    assert record.plan_name is not None
    membership = run.memberships[(record.plan_name, record.contact.contact_id)]
    charge = Charge(
        contact_id=booking.contact_id,
        service_id=booking.service_id,
        starts_at=None if record.is_course else session.start_at,
        participants=booking.participants,
    )
    redeem(
        run.db,
        membership_id=membership.id,
        charge=charge,
        booking_id=booking.id,
        line=line,
    )
    note_activity(
        run.db,
        order=order,
        kind="REDEEMED",
        details={"membership_id": str(membership.id)},
    )


def _note_unrecorded_money(
    record: WixBooking, order: Order, report: ImportReport
) -> None:
    received = Money.parse(record.amount_received, order.currency)
    if received.is_zero():
        return
    report.adjust(
        RecordKind.BOOKING,
        record.id,
        f"{_text(received)} received ({record.vendor}, tx {record.tx_id}) was not "
        f"recorded: the plan {record.plan_name!r} paid for the booking, so its order "
        "totals 0.00",
    )


def _import_attendance(
    run: ImportRun, record: WixBooking, booking: Booking, report: ImportReport
) -> None:
    info = record.attendance
    if info is None:
        return
    if booking.status in ENDED_STATUSES or booking.status == BookingStatus.WAITING_LIST:
        report.skip(
            RecordKind.ATTENDANCE,
            record.id,
            f"a {booking.status} booking has no attendance",
        )
        return
    if info.attended:
        count = min(max(info.attendees, 1), booking.participants)
        if count != info.attendees:
            report.adjust(
                RecordKind.ATTENDANCE,
                record.id,
                f"{info.attendees} attendees for {booking.participants} booked; "
                f"{count} recorded",
            )
        status, attendees = AttendanceStatus.ATTENDED, count
    else:
        if info.attendees:
            report.adjust(
                RecordKind.ATTENDANCE,
                record.id,
                f"marked not attended with {info.attendees} attendee(s); "
                "NOT_ATTENDED with 0 recorded",
            )
        status, attendees = AttendanceStatus.NOT_ATTENDED, 0
    set_attendance(run.db, booking_id=booking.id, status=status, attendees=attendees)
    report.created(RecordKind.ATTENDANCE)


def _note_policy(record: WixBooking, service: Service, report: ImportReport) -> None:
    limit = service.policy.get("max_participants_per_booking")
    if limit is None or record.participants <= int(limit):
        return
    report.adjust(
        RecordKind.BOOKING,
        record.id,
        f"{record.participants} participants, more than the {limit} per booking "
        f"{service.name} allows; kept as booked (the import bypasses that policy)",
    )


def _note_unoffered(
    run: ImportRun, unoffered: dict[str, Counter[PaymentOption]]
) -> None:
    for wix_id, options in unoffered.items():
        service = run.services[wix_id]
        for option, count in sorted(options.items()):
            run.report.adjust(
                RecordKind.SERVICE,
                wix_id,
                f"{service.name}: {count} imported bookings paid {option.value}, "
                f"which its payment options ({', '.join(service.payment_options)}) "
                "do not offer; kept as booked",
            )


def _fit_capacity(run: ImportRun) -> None:
    """Raise a session (or a course) to hold what the export booked on it."""
    for key, session in run.sessions.items():
        service = run.db.get(Service, session.service_id)
        assert service is not None
        booked = booked_participants(run.db, session=session, service=service)
        holder: Service | Session = (
            service if service.type is ServiceType.COURSE else session
        )
        if booked <= holder.capacity:
            continue
        local = in_zone(session.start_at, session.timezone).isoformat()
        run.report.adjust(
            RecordKind.SESSION,
            key,
            f"{service.name} on {local}: capacity raised from {holder.capacity} to "
            f"{booked}, the participants the export booked on it",
        )
        holder.capacity = booked
        session.capacity = max(session.capacity, booked)


def _count_existing(run: ImportRun, booking: Booking, record: WixBooking) -> None:
    run.report.existing(RecordKind.BOOKING)
    if booking.order_id is not None:
        run.report.existing(RecordKind.ORDER)
        payments = run.db.scalar(
            select(func.count())
            .select_from(Payment)
            .where(Payment.order_id == booking.order_id)
            .where(Payment.external_ref.like("wix:%"))
        )
        run.report.existing(RecordKind.PAYMENT, int(payments or 0))
    if run.db.get(Attendance, booking.id) is not None:
        run.report.existing(RecordKind.ATTENDANCE)
    status = STATUSES.get(record.status)
    if status is not None and status != booking.status:
        run.report.adjust(
            RecordKind.BOOKING,
            record.id,
            f"Wix says {record.status}, Frontdesk says {booking.status}; "
            "a re-import changes nothing",
        )


def _text(money: Money) -> str:
    return f"{money.amount_string()} {money.currency}"
