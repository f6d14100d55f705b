"""Reconcile a session from its class sheet in one call.

Every row is applied in the caller's transaction: a row that cannot be
applied refuses the whole sheet, so the books never show half a class.
A dry run applies the sheet inside a savepoint and rolls it back, so what it
reports is exactly what the real run would do.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy.orm import Session as Db

from frontdesk.attendance.models import AttendanceStatus
from frontdesk.attendance.service import attendance_of, set_attendance
from frontdesk.bookings import changes
from frontdesk.bookings.charges import charge_of
from frontdesk.bookings.models import ENDED_STATUSES, Booking, BookingPaymentStatus
from frontdesk.bookings.views import paying_memberships
from frontdesk.contacts.service import normalise_email
from frontdesk.errors import Conflict, FrontdeskError, ValidationFailed
from frontdesk.orders.service import line_of_booking, measure, order_lines
from frontdesk.payments.models import PaymentMethod
from frontdesk.payments.service import lock_order, record_payment
from frontdesk.plans.service import choose_membership
from frontdesk.reconcile.sheet import Sheet, SheetPayment, SheetRow
from frontdesk.roster.service import roster


@dataclass
class RowOutcome:
    booking_id: uuid.UUID
    changes: list[str] = field(default_factory=list)


class SheetContradictsBooks(Conflict):
    code = "sheet_contradicts_books"
    title = "The class sheet says otherwise than the books"


class SheetRefused(ValidationFailed):
    code = "reconcile_refused"
    title = "The class sheet cannot be applied"


def reconcile(db: Db, *, session_id: uuid.UUID, sheet: Sheet) -> list[RowOutcome]:
    _session, rows = roster(db, session_id)
    by_id = {r.booking.id: r.booking for r in rows}
    by_email: dict[str | None, list[Booking]] = {}
    for r in rows:
        if r.contact.email and r.booking.status not in ENDED_STATUSES:
            by_email.setdefault(r.contact.email, []).append(r.booking)
    savepoint = db.begin_nested() if sheet.dry_run else None
    found: list[tuple[int, Booking, SheetRow]] = []
    problems: list[dict[str, str]] = []
    for number, row in enumerate(sheet.rows, start=1):
        try:
            found.append((number, _find(row, by_id, by_email), row))
        except FrontdeskError as exc:
            problems.append(
                {"row": str(number), "code": exc.code, "detail": exc.detail}
            )
    outcomes: dict[int, RowOutcome] = {}
    # Rows are applied in booking id order: two sheets for one session lock
    # the same bookings in the same order and cannot deadlock.
    for number, booking, row in sorted(found, key=lambda item: item[1].id):
        try:
            outcomes[number] = _apply(db, booking, row)
        except FrontdeskError as exc:
            problems.append(
                {"row": str(number), "code": exc.code, "detail": exc.detail}
            )
    if savepoint is not None:
        savepoint.rollback()
    if problems:
        raise SheetRefused(
            f"{len(problems)} of {len(sheet.rows)} rows cannot be applied; "
            "nothing was changed",
            rows=sorted(problems, key=lambda p: int(p["row"])),
        )
    return [outcomes[number] for number in sorted(outcomes)]


def _find(
    row: SheetRow,
    by_id: dict[uuid.UUID, Booking],
    by_email: dict[str | None, list[Booking]],
) -> Booking:
    if row.booking_id is not None:
        booking = by_id.get(row.booking_id)
        if booking is None:
            raise ValidationFailed("no booking of this session has this id")
        return booking
    matches = by_email.get(normalise_email(row.contact_email), [])
    if not matches:
        raise ValidationFailed("no live booking of this session has this email")
    if len(matches) > 1:
        raise ValidationFailed(
            f"{len(matches)} bookings of this session have this email; "
            "name the booking_id"
        )
    return matches[0]


def _apply(db: Db, booking: Booking, row: SheetRow) -> RowOutcome:
    outcome = RowOutcome(booking_id=booking.id)
    if row.payment is SheetPayment.PLAN:
        _pay_by_plan(db, booking, row, outcome)
    elif row.payment is SheetPayment.UNPAID:
        _still_unpaid(booking)
    elif row.payment is not None:
        _pay_offline(db, booking, PaymentMethod(row.payment.value), outcome)
    if row.attended is not None:
        _mark_attendance(db, booking, row, outcome)
    return outcome


def _still_unpaid(booking: Booking) -> None:
    # The sheet says nobody paid; if the books say otherwise, staff must look.
    if booking.payment_status not in (
        BookingPaymentStatus.NOT_PAID,
        BookingPaymentStatus.PARTIALLY_PAID,
    ):
        raise SheetContradictsBooks(
            f"the sheet says unpaid, the books say {booking.payment_status}"
        )


def _pay_by_plan(db: Db, booking: Booking, row: SheetRow, outcome: RowOutcome) -> None:
    if booking.payment_status == BookingPaymentStatus.PAID_BY_PLAN:
        paying = paying_memberships(db, [booking.id]).get(booking.id)
        if row.membership_id is not None and row.membership_id != paying:
            raise SheetContradictsBooks(
                f"the booking is already paid by membership {paying}"
            )
        return
    membership_id = choose_membership(db, charge_of(db, booking), row.membership_id)
    changes.redeem_booking(db, booking_id=booking.id, membership_id=membership_id)
    outcome.changes.append(f"redeemed from membership {membership_id}")


def _pay_offline(
    db: Db, booking: Booking, method: PaymentMethod, outcome: RowOutcome
) -> None:
    if booking.order_id is None or booking.payment_status not in (
        BookingPaymentStatus.NOT_PAID,
        BookingPaymentStatus.PARTIALLY_PAID,
    ):
        return  # already settled: a repeated sheet records no second payment
    order = lock_order(db, booking.order_id)
    line = line_of_booking(db, booking.id)
    due = measure(db, order, order_lines(db, order.id)).due
    # On an order of several bookings, this person pays for their own line.
    amount = min(due, line.price_minor) if line is not None else due
    if amount <= 0:
        return
    record_payment(db, order=order, method=method, amount=order.money(amount))
    outcome.changes.append(
        f"recorded {order.money(amount).amount_string()} {method.value}"
    )


def _mark_attendance(
    db: Db, booking: Booking, row: SheetRow, outcome: RowOutcome
) -> None:
    status = (
        AttendanceStatus.ATTENDED if row.attended else AttendanceStatus.NOT_ATTENDED
    )
    before = attendance_of(db, [booking.id]).get(booking.id)
    after = set_attendance(
        db,
        booking_id=booking.id,
        status=status,
        attendees=row.attendees if row.attended else None,
    )
    if before is None or (before.status, before.attendees) != (
        after.status,
        after.attendees,
    ):
        outcome.changes.append(f"{after.status} ({after.attendees})")
