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
from frontdesk.bookings.models import Booking, BookingPaymentStatus
from frontdesk.contacts.service import normalise_email
from frontdesk.errors import FrontdeskError, ValidationFailed
from frontdesk.lookup import get_or_404
from frontdesk.orders.models import Order
from frontdesk.payments.models import PaymentMethod
from frontdesk.payments.service import mark_paid
from frontdesk.plans.service import choose_membership
from frontdesk.reconcile.sheet import Sheet, SheetPayment, SheetRow
from frontdesk.roster.service import roster


@dataclass
class RowOutcome:
    booking_id: uuid.UUID
    changes: list[str] = field(default_factory=list)


class SheetRefused(ValidationFailed):
    code = "reconcile_refused"
    title = "The class sheet cannot be applied"


def reconcile(db: Db, *, session_id: uuid.UUID, sheet: Sheet) -> list[RowOutcome]:
    _session, rows = roster(db, session_id)
    by_id = {r.booking.id: r.booking for r in rows}
    by_email: dict[str | None, Booking] = {
        r.contact.email: r.booking for r in rows if r.contact.email
    }
    savepoint = db.begin_nested() if sheet.dry_run else None
    outcomes: list[RowOutcome] = []
    problems: list[dict[str, str]] = []
    for number, row in enumerate(sheet.rows, start=1):
        try:
            booking = _find(row, by_id, by_email)
            outcomes.append(_apply(db, booking, row))
        except FrontdeskError as exc:
            problems.append(
                {"row": str(number), "code": exc.code, "detail": exc.detail}
            )
    if problems:
        if savepoint is not None:
            savepoint.rollback()
        raise SheetRefused(
            f"{len(problems)} of {len(sheet.rows)} rows cannot be applied; "
            "nothing was changed",
            rows=problems,
        )
    if savepoint is not None:
        savepoint.rollback()
    return outcomes


def _find(
    row: SheetRow, by_id: dict[uuid.UUID, Booking], by_email: dict[str | None, Booking]
) -> Booking:
    if row.booking_id is not None:
        booking = by_id.get(row.booking_id)
    else:
        booking = by_email.get(normalise_email(row.contact_email))
    if booking is None:
        raise ValidationFailed("no booking of this session matches the row")
    return booking


def _apply(db: Db, booking: Booking, row: SheetRow) -> RowOutcome:
    outcome = RowOutcome(booking_id=booking.id)
    if row.payment is SheetPayment.PLAN:
        _pay_by_plan(db, booking, row, outcome)
    elif row.payment not in (None, SheetPayment.UNPAID):
        _pay_offline(db, booking, PaymentMethod(row.payment.value), outcome)
    if row.attended is not None:
        _mark_attendance(db, booking, row, outcome)
    return outcome


def _pay_by_plan(db: Db, booking: Booking, row: SheetRow, outcome: RowOutcome) -> None:
    if booking.payment_status == BookingPaymentStatus.PAID_BY_PLAN:
        return
    membership_id = choose_membership(db, charge_of(db, booking), row.membership_id)
    changes.redeem_booking(db, booking_id=booking.id, membership_id=membership_id)
    outcome.changes.append(f"redeemed from membership {membership_id}")


def _pay_offline(
    db: Db, booking: Booking, method: PaymentMethod, outcome: RowOutcome
) -> None:
    if booking.order_id is None:
        return
    order = get_or_404(db, Order, booking.order_id, noun="order")
    if order.total_minor - (order.paid_minor - order.refunded_minor) <= 0:
        return  # already paid: a repeated sheet records no second payment
    payment = mark_paid(db, order_id=order.id, method=method)
    outcome.changes.append(
        f"recorded {order.money(payment.amount_minor).amount_string()} {method.value}"
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
