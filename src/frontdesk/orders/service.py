"""Orders: created with their first line, settled after every money change."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from frontdesk.bookings.models import Booking
from frontdesk.clock import utc_now
from frontdesk.events.service import record_event
from frontdesk.lookup import lock_or_404
from frontdesk.orders.balance import (
    Balance,
    line_payment_statuses,
    lines_total,
    order_payment_status,
    order_status,
)
from frontdesk.orders.models import (
    LineKind,
    Order,
    OrderActivity,
    OrderLine,
    OrderPaymentStatus,
)
from frontdesk.payments.models import Payment, PaymentStatus, Refund


def open_order(db: Session, *, contact_id: uuid.UUID, currency: str) -> Order:
    order = Order(contact_id=contact_id, currency=currency)
    db.add(order)
    db.flush()
    note_activity(db, order=order, kind="ORDER_CREATED")
    record_event(
        db, type="order.created", subject_id=order.id, data={"order_id": str(order.id)}
    )
    return order


def add_line(
    db: Session,
    *,
    order: Order,
    kind: LineKind,
    description: str,
    unit_price_minor: int,
    quantity: int = 1,
    booking_id: uuid.UUID | None = None,
    membership_id: uuid.UUID | None = None,
) -> OrderLine:
    position = (
        db.scalar(
            select(func.coalesce(func.max(OrderLine.position), 0)).where(
                OrderLine.order_id == order.id
            )
        )
        or 0
    ) + 1
    line = OrderLine(
        order_id=order.id,
        position=position,
        kind=kind,
        description=description,
        booking_id=booking_id,
        membership_id=membership_id,
        quantity=quantity,
        unit_price_minor=unit_price_minor,
        price_minor=unit_price_minor * quantity,
    )
    db.add(line)
    db.flush()
    return line


def note_activity(
    db: Session, *, order: Order, kind: str, details: dict[str, Any] | None = None
) -> None:
    db.add(OrderActivity(order_id=order.id, kind=kind, details=details or {}))


def order_lines(db: Session, order_id: uuid.UUID) -> list[OrderLine]:
    return list(
        db.scalars(
            select(OrderLine)
            .where(OrderLine.order_id == order_id)
            .order_by(OrderLine.position)
        )
    )


def line_of_booking(db: Session, booking_id: uuid.UUID) -> OrderLine | None:
    return db.scalar(
        select(OrderLine)
        .where(OrderLine.booking_id == booking_id)
        .where(OrderLine.voided_at.is_(None))
    )


def measure(db: Session, order: Order, lines: list[OrderLine]) -> Balance:
    """The order's figures from its rows, never from its cached columns."""
    sums = dict(
        db.execute(
            select(Payment.status, func.coalesce(func.sum(Payment.amount_minor), 0))
            .where(Payment.order_id == order.id)
            .group_by(Payment.status)
        ).all()
    )
    refunded = db.scalar(
        select(func.coalesce(func.sum(Refund.amount_minor), 0)).where(
            Refund.order_id == order.id
        )
    )
    return Balance(
        total=lines_total(lines),
        paid=int(sums.get(PaymentStatus.APPROVED, 0)),
        refunded=int(refunded or 0),
        pending=int(sums.get(PaymentStatus.PENDING, 0)),
    )


def settle(db: Session, order: Order) -> Balance:
    """Recompute the order's figures and statuses, and its bookings' statuses.

    Called after every change to lines, payments or refunds, in the same
    transaction; it is the only writer of the derived columns.
    """
    db.flush()
    lines = order_lines(db, order.id)
    balance = measure(db, order, lines)
    was_paid = order.payment_status == OrderPaymentStatus.PAID
    order.total_minor = balance.total
    order.paid_minor = balance.paid
    order.refunded_minor = balance.refunded
    order.payment_status = order_payment_status(balance, lines)
    order.status = order_status(balance, lines)
    _settle_bookings(db, balance, lines)
    if order.payment_status == OrderPaymentStatus.PAID and not was_paid:
        note_activity(db, order=order, kind="ORDER_PAID")
        record_event(
            db,
            type="order.paid",
            subject_id=order.id,
            data={
                "order_id": str(order.id),
                "total": str(order.money(balance.total).decimal),
            },
        )
    db.flush()
    return balance


def _settle_bookings(db: Session, balance: Balance, lines: list[OrderLine]) -> None:
    statuses = line_payment_statuses(balance, lines)
    by_booking = {
        line.booking_id: statuses[line.position]
        for line in lines
        if line.booking_id is not None
    }
    if not by_booking:
        return
    bookings = db.scalars(select(Booking).where(Booking.id.in_(by_booking)))
    for booking in bookings:
        booking.payment_status = by_booking[booking.id]


def list_orders(
    db: Session,
    *,
    contact_id: uuid.UUID | None,
    payment_status: OrderPaymentStatus | None,
    limit: int,
    after: uuid.UUID | None,
) -> list[Order]:
    query = select(Order).order_by(Order.id).limit(limit)
    if contact_id is not None:
        query = query.where(Order.contact_id == contact_id)
    if payment_status is not None:
        query = query.where(Order.payment_status == payment_status)
    if after is not None:
        query = query.where(Order.id > after)
    return list(db.scalars(query))


def void_booking_line(db: Session, *, booking: Booking) -> None:
    """An ended booking stops owing its price: its line is voided, the order
    settled. Money already paid stays on the order until it is refunded."""
    if booking.order_id is None:
        return
    order = lock_or_404(db, Order, booking.order_id, noun="order")
    line = line_of_booking(db, booking.id)
    if line is not None:
        line.voided_at = utc_now()
        note_activity(
            db, order=order, kind="LINE_VOIDED", details={"booking_id": str(booking.id)}
        )
    settle(db, order)
