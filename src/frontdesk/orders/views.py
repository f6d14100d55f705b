from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.api.schemas import MoneyOut
from frontdesk.orders.models import Order, OrderActivity
from frontdesk.orders.schemas import (
    ActivityOut,
    BalanceOut,
    LineOut,
    OrderOut,
    PaymentOut,
    PriceSummary,
    RefundOut,
)
from frontdesk.orders.service import order_lines
from frontdesk.payments.service import payments_of, refunds_of


def present_order(db: Session, order: Order) -> OrderOut:
    def money(minor: int) -> MoneyOut:
        return MoneyOut.of(order.money(minor))

    lines = order_lines(db, order.id)
    live = [line for line in lines if line.voided_at is None]
    subtotal = sum(line.unit_price_minor * line.quantity for line in live)
    activities = db.scalars(
        select(OrderActivity)
        .where(OrderActivity.order_id == order.id)
        .order_by(OrderActivity.created_at, OrderActivity.id)
    )
    net = order.paid_minor - order.refunded_minor
    return OrderOut(
        id=order.id,
        contact_id=order.contact_id,
        currency=order.currency,
        status=order.status,
        payment_status=order.payment_status,
        lines=[
            LineOut(
                id=line.id,
                kind=line.kind,
                description=line.description,
                booking_id=line.booking_id,
                membership_id=line.membership_id,
                paid_by_membership_id=line.paid_by_membership_id,
                quantity=line.quantity,
                unit_price=money(line.unit_price_minor),
                price=money(line.price_minor),
                voided=line.voided_at is not None,
            )
            for line in lines
        ],
        price_summary=PriceSummary(
            subtotal=money(subtotal),
            # What plans paid for shows as the discount off the list price.
            discount=money(subtotal - order.total_minor),
            tax=money(0),
            total=money(order.total_minor),
        ),
        balance=BalanceOut(
            total=money(order.total_minor),
            paid=money(order.paid_minor),
            refunded=money(order.refunded_minor),
            due=money(max(order.total_minor - net, 0)),
        ),
        payments=[
            PaymentOut(
                id=p.id,
                method=p.method,
                amount=money(p.amount_minor),
                status=p.status,
                reference=p.reference,
                created_at=p.created_at,
            )
            for p in payments_of(db, order.id)
        ],
        refunds=[
            RefundOut(
                id=r.id,
                payment_id=r.payment_id,
                amount=money(r.amount_minor),
                reason=r.reason,
                created_at=r.created_at,
            )
            for r in refunds_of(db, order.id)
        ],
        activities=[
            ActivityOut(kind=a.kind, details=a.details, created_at=a.created_at)
            for a in activities
        ],
        created_at=order.created_at,
    )
