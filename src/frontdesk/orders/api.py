from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, status

from frontdesk.api.deps import Db, require
from frontdesk.api.pagination import Cursor, Limit, after_id, next_cursor
from frontdesk.api.schemas import Page
from frontdesk.auth.scopes import Scope
from frontdesk.lookup import get_or_404
from frontdesk.orders.models import Order, OrderPaymentStatus
from frontdesk.orders.schemas import (
    BulkMarkPaidIn,
    MarkPaidIn,
    OrderOut,
    PaymentIn,
    RefundIn,
)
from frontdesk.orders.service import list_orders
from frontdesk.orders.views import present_order
from frontdesk.payments import service as payments

router = APIRouter(prefix="/v1/orders", tags=["orders"])

Reader = Depends(require(Scope.ORDERS_READ))
Collector = Depends(require(Scope.PAYMENTS_COLLECT))


@router.get("", dependencies=[Reader])
def get_orders(
    db: Db,
    contact_id: uuid.UUID | None = None,
    payment_status: OrderPaymentStatus | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[OrderOut]:
    rows = list_orders(
        db,
        contact_id=contact_id,
        payment_status=payment_status,
        limit=limit,
        after=after_id(cursor),
    )
    return Page(
        items=[present_order(db, o) for o in rows],
        next_cursor=next_cursor(rows, limit, lambda o: [str(o.id)]),
    )


@router.post("/mark-paid", dependencies=[Collector])
def post_mark_many_paid(body: BulkMarkPaidIn, db: Db) -> list[OrderOut]:
    """Record the money still due on every listed order, in one transaction."""
    payments.mark_many_paid(
        db, order_ids=body.order_ids, method=body.method, reference=body.reference
    )
    return [
        present_order(db, get_or_404(db, Order, order_id, noun="order"))
        for order_id in sorted(set(body.order_ids))
    ]


@router.get("/{order_id}", dependencies=[Reader])
def get_order(order_id: uuid.UUID, db: Db) -> OrderOut:
    return present_order(db, get_or_404(db, Order, order_id, noun="order"))


@router.post(
    "/{order_id}/payments",
    status_code=status.HTTP_201_CREATED,
    dependencies=[Collector],
)
def post_payment(order_id: uuid.UUID, body: PaymentIn, db: Db) -> OrderOut:
    payments.pay_order(
        db,
        order_id=order_id,
        method=body.method,
        amount=body.amount,
        reference=body.reference,
    )
    return present_order(db, get_or_404(db, Order, order_id, noun="order"))


@router.post("/{order_id}/mark-paid", dependencies=[Collector])
def post_mark_paid(
    order_id: uuid.UUID, db: Db, body: MarkPaidIn | None = None
) -> OrderOut:
    body = body or MarkPaidIn()
    payments.mark_paid(
        db, order_id=order_id, method=body.method, reference=body.reference
    )
    return present_order(db, get_or_404(db, Order, order_id, noun="order"))


@router.post(
    "/{order_id}/refunds",
    status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(require(Scope.PAYMENTS_REFUND))],
)
def post_refund(order_id: uuid.UUID, body: RefundIn, db: Db) -> OrderOut:
    payments.refund(
        db,
        order_id=order_id,
        amount=body.amount,
        payment_id=body.payment_id,
        reason=body.reason,
    )
    return present_order(db, get_or_404(db, Order, order_id, noun="order"))
