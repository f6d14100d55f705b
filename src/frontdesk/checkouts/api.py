from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, status
from sqlalchemy.orm import Session

from frontdesk.api.deps import Db, require
from frontdesk.api.schemas import MoneyOut
from frontdesk.auth.scopes import Scope
from frontdesk.auth.service import Caller
from frontdesk.checkouts import service
from frontdesk.checkouts.models import Checkout, ItemKind
from frontdesk.checkouts.schemas import CheckoutIn, CheckoutOut, CompleteIn, ItemOut
from frontdesk.lookup import get_or_404
from frontdesk.money import Money

router = APIRouter(prefix="/v1/checkouts", tags=["checkouts"])

Creator = Depends(require(Scope.BOOKINGS_CREATE))


def checkout_out(db: Session, checkout: Checkout) -> CheckoutOut:
    priced = service.price(db, checkout)

    def money(minor: int) -> MoneyOut:
        return MoneyOut.of(Money(minor, checkout.currency))

    return CheckoutOut(
        id=checkout.id,
        contact_id=checkout.contact_id,
        status=checkout.status,
        items=[
            ItemOut(
                position=p.item.position,
                kind=p.item.kind,
                session_id=p.item.session_id,
                participants=p.item.participants,
                payment_option=p.item.payment_option,
                membership_id=p.item.membership_id,
                plan_id=p.item.plan_id,
                unit_price=money(p.unit_price_minor),
                price=money(p.price_minor),
                booking_id=p.item.booking_id,
                purchased_membership_id=p.item.purchased_membership_id,
            )
            for p in priced
        ],
        total=money(sum(p.price_minor for p in priced)),
        order_id=checkout.order_id,
        created_at=checkout.created_at,
        completed_at=checkout.completed_at,
    )


@router.post("", status_code=status.HTTP_201_CREATED)
def post_checkout(body: CheckoutIn, db: Db, caller: Caller = Creator) -> CheckoutOut:
    """Price a cart; nothing is booked or charged until it is completed."""
    if any(i.kind == ItemKind.MEMBERSHIP_PURCHASE for i in body.items):
        caller.require(Scope.PLANS_MANAGE)
    checkout = service.create_checkout(
        db,
        contact_id=body.contact_id,
        items=[
            service.ItemRequest(
                kind=i.kind,
                session_id=i.session_id,
                participants=i.participants,
                payment_option=i.payment_option,
                membership_id=i.membership_id,
                plan_id=i.plan_id,
            )
            for i in body.items
        ],
        may_defer_plan_payment=caller.has(Scope.BOOKINGS_MANAGE_PAYMENTS),
    )
    return checkout_out(db, checkout)


@router.get("/{checkout_id}", dependencies=[Depends(require(Scope.BOOKINGS_READ))])
def get_checkout(checkout_id: uuid.UUID, db: Db) -> CheckoutOut:
    return checkout_out(db, get_or_404(db, Checkout, checkout_id, noun="checkout"))


@router.post("/{checkout_id}/complete")
def complete_checkout(
    checkout_id: uuid.UUID,
    db: Db,
    body: CompleteIn | None = None,
    caller: Caller = Creator,
) -> CheckoutOut:
    """Book every item and sell every plan in one order, or none at all."""
    body = body or CompleteIn()
    if body.payment is not None:
        caller.require(Scope.PAYMENTS_COLLECT)
    checkout = service.complete_checkout(
        db,
        checkout_id=checkout_id,
        payment_method=body.payment.method if body.payment else None,
        payment_amount=body.payment.amount if body.payment else None,
        may_defer_plan_payment=caller.has(Scope.BOOKINGS_MANAGE_PAYMENTS),
    )
    return checkout_out(db, checkout)
