"""Money recorded against an order: payments in part or in full, refunds."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from frontdesk.bookings.models import Booking, BookingStatus
from frontdesk.errors import NotFound
from frontdesk.events.service import record_event
from frontdesk.lookup import lock_or_404, race_window
from frontdesk.money import Money, MoneyError
from frontdesk.orders.errors import NothingDue, PlaceNotGiven
from frontdesk.orders.models import Order, OrderLine
from frontdesk.orders.service import measure, note_activity, order_lines, settle
from frontdesk.payments.errors import AmountExceedsDue, InvalidAmount, RefundExceedsPaid
from frontdesk.payments.models import Payment, PaymentMethod, PaymentStatus, Refund


def parse_amount(amount: str, currency: str) -> Money:
    try:
        money = Money.parse(amount, currency)
    except MoneyError as exc:
        raise InvalidAmount(str(exc)) from exc
    if money.minor <= 0:
        raise InvalidAmount("an amount must be more than zero")
    return money


def lock_order(db: Session, order_id: uuid.UUID) -> Order:
    """The order row lock serialises every money change on one order."""
    return lock_or_404(db, Order, order_id, noun="order")


def record_payment(
    db: Session,
    *,
    order: Order,
    method: PaymentMethod,
    amount: Money,
    reference: str | None = None,
    external_ref: str | None = None,
) -> Payment:
    """Record money received. The caller holds the order's lock."""
    lines = order_lines(db, order.id)
    _refuse_places_in_line(db, lines)
    due = measure(db, order, lines).due
    if amount.minor > due:
        raise AmountExceedsDue(
            f"{amount.amount_string()} is more than the "
            f"{order.money(due).amount_string()} due",
            due=order.money(due).amount_string(),
        )
    payment = Payment(
        order_id=order.id,
        method=method,
        amount_minor=amount.minor,
        currency=order.currency,
        status=PaymentStatus.APPROVED,
        reference=reference,
        external_ref=external_ref,
    )
    db.add(payment)
    db.flush()
    note_activity(
        db,
        order=order,
        kind="PAYMENT_RECORDED",
        details={
            "payment_id": str(payment.id),
            "method": method.value,
            "amount": amount.amount_string(),
        },
    )
    record_event(
        db,
        type="payment.recorded",
        subject_id=payment.id,
        data={
            "order_id": str(order.id),
            "payment_id": str(payment.id),
            "method": method.value,
            "amount": amount.amount_string(),
        },
    )
    settle(db, order)
    return payment


def _refuse_places_in_line(db: Session, lines: list[OrderLine]) -> None:
    live = [line.booking_id for line in lines if line.booking_id and not line.voided_at]
    if not live:
        return
    waiting = db.scalar(
        select(func.count())
        .select_from(Booking)
        .where(Booking.id.in_(live))
        .where(Booking.status == BookingStatus.WAITING_LIST)
    )
    if waiting:
        raise PlaceNotGiven(
            "the order is for a place in line; take money once it is given"
        )


def pay_order(
    db: Session,
    *,
    order_id: uuid.UUID,
    method: PaymentMethod,
    amount: str,
    reference: str | None = None,
) -> Payment:
    order = lock_order(db, order_id)
    return record_payment(
        db,
        order=order,
        method=method,
        amount=parse_amount(amount, order.currency),
        reference=reference,
    )


def mark_paid(
    db: Session,
    *,
    order_id: uuid.UUID,
    method: PaymentMethod = PaymentMethod.CASH,
    reference: str | None = None,
) -> Payment:
    """Record an offline payment for exactly what is still due."""
    order = lock_order(db, order_id)
    due = measure(db, order, order_lines(db, order.id)).due
    if due == 0:
        raise NothingDue("nothing is due on this order", order_id=str(order.id))
    race_window(db)
    return record_payment(
        db, order=order, method=method, amount=order.money(due), reference=reference
    )


def mark_many_paid(
    db: Session,
    *,
    order_ids: list[uuid.UUID],
    method: PaymentMethod = PaymentMethod.CASH,
    reference: str | None = None,
) -> list[Payment]:
    """Settle many orders at once, all or nothing.

    Orders are locked in id order, so two overlapping batches cannot deadlock.
    An order with nothing due is refused, which refuses the whole batch.
    """
    unique = sorted(set(order_ids))
    return [
        mark_paid(db, order_id=order_id, method=method, reference=reference)
        for order_id in unique
    ]


def refundable(db: Session, payment: Payment) -> int:
    already = db.scalar(
        select(func.coalesce(func.sum(Refund.amount_minor), 0)).where(
            Refund.payment_id == payment.id
        )
    )
    return payment.amount_minor - int(already or 0)


def refund(
    db: Session,
    *,
    order_id: uuid.UUID,
    amount: str,
    payment_id: uuid.UUID | None = None,
    reason: str | None = None,
) -> list[Refund]:
    """Return money: from the named payment, or from the newest payments first.

    A refund larger than any one payment is spread over several, one refund
    row per payment, so every refund still names the money it returns.
    """
    order = lock_order(db, order_id)
    money = parse_amount(amount, order.currency)
    shares = _refund_shares(db, order, money, payment_id)
    refunds = []
    for payment, minor in shares:
        item = Refund(
            order_id=order.id,
            payment_id=payment.id,
            amount_minor=minor,
            currency=order.currency,
            reason=reason,
        )
        db.add(item)
        refunds.append(item)
    db.flush()
    for item in refunds:
        note_activity(
            db,
            order=order,
            kind="REFUND_RECORDED",
            details={
                "refund_id": str(item.id),
                "payment_id": str(item.payment_id),
                "amount": order.money(item.amount_minor).amount_string(),
            },
        )
    record_event(
        db,
        type="order.refunded",
        subject_id=order.id,
        data={
            "order_id": str(order.id),
            "refund_ids": [str(item.id) for item in refunds],
            "amount": money.amount_string(),
        },
    )
    settle(db, order)
    return refunds


def _refund_shares(
    db: Session, order: Order, money: Money, payment_id: uuid.UUID | None
) -> list[tuple[Payment, int]]:
    approved = list(
        db.scalars(
            select(Payment)
            .where(Payment.order_id == order.id)
            .where(Payment.status == PaymentStatus.APPROVED)
            .order_by(Payment.created_at.desc(), Payment.id.desc())
        )
    )
    if payment_id is not None:
        approved = [p for p in approved if p.id == payment_id]
        if not approved:
            raise NotFound(f"no payment {payment_id} on this order", resource="payment")
    shares: list[tuple[Payment, int]] = []
    wanted = money.minor
    for payment in approved:
        share = min(wanted, refundable(db, payment))
        if share > 0:
            shares.append((payment, share))
            wanted -= share
        if wanted == 0:
            return shares
    raise RefundExceedsPaid(
        f"{money.amount_string()} is more than is left to refund on "
        + ("that payment" if payment_id else "this order")
    )


def payments_of(db: Session, order_id: uuid.UUID) -> list[Payment]:
    return list(
        db.scalars(
            select(Payment)
            .where(Payment.order_id == order_id)
            .order_by(Payment.created_at, Payment.id)
        )
    )


def refunds_of(db: Session, order_id: uuid.UUID) -> list[Refund]:
    return list(
        db.scalars(
            select(Refund)
            .where(Refund.order_id == order_id)
            .order_by(Refund.created_at, Refund.id)
        )
    )
