"""Checkouts: a cart of bookings and plan purchases, completed into one order.

Completing locks every session of the cart in id order (so two carts that
share sessions cannot deadlock), counts the participants each session would
take, and either places every item or none (invariant 1 across the cart).
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session as Db

from frontdesk.bookings import waitlist
from frontdesk.bookings.errors import SessionFull
from frontdesk.bookings.service import (
    BookingRequest,
    guard_request,
    place_booking,
    remaining_places,
)
from frontdesk.catalog.models import PaymentOption, Service, ServiceType
from frontdesk.checkouts.errors import CheckoutCompleted, InvalidCheckout
from frontdesk.checkouts.models import Checkout, CheckoutItem, CheckoutStatus, ItemKind
from frontdesk.clock import utc_now
from frontdesk.contacts.models import Contact
from frontdesk.events.service import record_event
from frontdesk.lookup import get_or_404, lock_or_404, race_window
from frontdesk.orders.models import Order
from frontdesk.orders.service import open_order, settle
from frontdesk.payments.models import PaymentMethod
from frontdesk.payments.service import parse_amount, record_payment
from frontdesk.plans.models import Plan
from frontdesk.plans.service import add_membership
from frontdesk.sessions.locking import lock_sessions
from frontdesk.sessions.models import Session


@dataclass(frozen=True)
class ItemRequest:
    kind: ItemKind
    session_id: uuid.UUID | None = None
    participants: int = 1
    payment_option: PaymentOption | None = None
    membership_id: uuid.UUID | None = None
    plan_id: uuid.UUID | None = None


@dataclass(frozen=True)
class PricedItem:
    item: CheckoutItem
    unit_price_minor: int
    quantity: int

    @property
    def price_minor(self) -> int:
        return self.unit_price_minor * self.quantity


def create_checkout(
    db: Db,
    *,
    contact_id: uuid.UUID,
    items: list[ItemRequest],
    may_defer_plan_payment: bool = False,
) -> Checkout:
    get_or_404(db, Contact, contact_id, noun="contact")
    if not items:
        raise InvalidCheckout("a checkout needs at least one item")
    currencies = {
        _currency_of(db, item, contact_id, may_defer_plan_payment) for item in items
    }
    if len(currencies) > 1:
        raise InvalidCheckout(f"one checkout, one currency: {sorted(currencies)}")
    checkout = Checkout(
        contact_id=contact_id, currency=currencies.pop(), status=CheckoutStatus.OPEN
    )
    db.add(checkout)
    db.flush()
    db.add_all(
        CheckoutItem(
            checkout_id=checkout.id,
            position=position,
            kind=item.kind,
            session_id=item.session_id,
            participants=item.participants,
            payment_option=item.payment_option,
            membership_id=item.membership_id,
            plan_id=item.plan_id,
        )
        for position, item in enumerate(items, start=1)
    )
    db.flush()
    return checkout


def _currency_of(
    db: Db, item: ItemRequest, contact_id: uuid.UUID, may_defer: bool
) -> str:
    if item.kind == ItemKind.MEMBERSHIP_PURCHASE:
        if item.plan_id is None:
            raise InvalidCheckout("a plan purchase names its plan_id")
        return get_or_404(db, Plan, item.plan_id, noun="plan").currency
    if item.session_id is None or item.payment_option is None:
        raise InvalidCheckout("a booking item names its session_id and payment_option")
    session = get_or_404(db, Session, item.session_id, noun="session")
    service = get_or_404(db, Service, session.service_id, noun="service")
    if service.type == ServiceType.COURSE:
        raise InvalidCheckout("course bookings are made one at a time for now")
    guard_request(service, session, _booking_request(item, contact_id, may_defer))
    return service.currency


def _booking_request(
    item: ItemRequest | CheckoutItem, contact_id: uuid.UUID, may_defer: bool
) -> BookingRequest:
    assert item.session_id is not None and item.payment_option is not None
    return BookingRequest(
        session_id=item.session_id,
        contact_id=contact_id,
        participants=item.participants,
        payment_option=PaymentOption(item.payment_option),
        membership_id=item.membership_id,
        may_defer_plan_payment=may_defer,
    )


def items_of(db: Db, checkout_id: uuid.UUID) -> list[CheckoutItem]:
    return list(
        db.scalars(
            select(CheckoutItem)
            .where(CheckoutItem.checkout_id == checkout_id)
            .order_by(CheckoutItem.position)
        )
    )


def price(db: Db, checkout: Checkout) -> list[PricedItem]:
    """What each item will cost on the order."""
    priced = []
    for item in items_of(db, checkout.id):
        if item.kind == ItemKind.MEMBERSHIP_PURCHASE:
            assert item.plan_id is not None
            plan = get_or_404(db, Plan, item.plan_id, noun="plan")
            priced.append(PricedItem(item, plan.price_minor, 1))
            continue
        assert item.session_id is not None
        session = get_or_404(db, Session, item.session_id, noun="session")
        service = get_or_404(db, Service, session.service_id, noun="service")
        # A booking charged to a plan now costs nothing on the order.
        by_plan = item.payment_option == PaymentOption.MEMBERSHIP
        unit = 0 if by_plan else service.price_minor
        priced.append(PricedItem(item, unit, item.participants))
    return priced


def complete_checkout(
    db: Db,
    *,
    checkout_id: uuid.UUID,
    payment_method: PaymentMethod | None = None,
    payment_amount: str | None = None,
    may_defer_plan_payment: bool = False,
) -> Checkout:
    checkout = lock_or_404(db, Checkout, checkout_id, noun="checkout")
    if checkout.status != CheckoutStatus.OPEN:
        raise CheckoutCompleted(
            "the checkout is already completed", order_id=str(checkout.order_id)
        )
    items = items_of(db, checkout.id)
    bookings = [i for i in items if i.kind == ItemKind.BOOKING]
    sessions = {
        s.id: s
        for s in lock_sessions(db, [i.session_id for i in bookings if i.session_id])
    }
    _guard_places(db, bookings, sessions)
    race_window(db)

    order = open_order(db, contact_id=checkout.contact_id, currency=checkout.currency)
    # Plans first, so a booking in the same cart can be paid by a plan it buys.
    for item in items:
        if item.kind == ItemKind.MEMBERSHIP_PURCHASE:
            _sell(db, item, checkout, order)
    for item in bookings:
        _book(db, item, checkout, order, sessions, may_defer_plan_payment)
    if payment_method is not None and payment_amount is not None:
        record_payment(
            db,
            order=order,
            method=payment_method,
            amount=parse_amount(payment_amount, order.currency),
        )
    else:
        settle(db, order)
    checkout.status = CheckoutStatus.COMPLETED
    checkout.order_id = order.id
    checkout.completed_at = utc_now()
    record_event(
        db,
        type="checkout.completed",
        subject_id=checkout.id,
        data={"checkout_id": str(checkout.id), "order_id": str(order.id)},
    )
    return checkout


def _guard_places(
    db: Db, bookings: list[CheckoutItem], sessions: dict[uuid.UUID, Session]
) -> None:
    """Participants, not lines, count: every session must fit its whole share."""
    wanted: Counter[uuid.UUID] = Counter()
    for item in bookings:
        assert item.session_id is not None
        wanted[item.session_id] += item.participants
    for session_id, participants in wanted.items():
        session = sessions[session_id]
        service = get_or_404(db, Service, session.service_id, noun="service")
        waitlist.fill_freed_places(db, session=session, service=service)
        remaining = remaining_places(db, service, session)
        if waitlist.waiting_participants(db, session) > 0:
            remaining = 0  # people in line come first
        if participants > remaining:
            raise SessionFull(
                f"the cart needs {participants} places on session {session_id}, "
                f"{max(remaining, 0)} are left; nothing was booked",
                session_id=str(session_id),
                remaining=max(remaining, 0),
            )


def _sell(db: Db, item: CheckoutItem, checkout: Checkout, order: Order) -> None:
    assert item.plan_id is not None
    plan = get_or_404(db, Plan, item.plan_id, noun="plan")
    membership = add_membership(
        db, plan=plan, contact_id=checkout.contact_id, order=order
    )
    item.purchased_membership_id = membership.id


def _book(
    db: Db,
    item: CheckoutItem,
    checkout: Checkout,
    order: Order,
    sessions: dict[uuid.UUID, Session],
    may_defer: bool,
) -> None:
    assert item.session_id is not None
    session = sessions[item.session_id]
    service = get_or_404(db, Service, session.service_id, noun="service")
    request = _booking_request(item, checkout.contact_id, may_defer)
    guard_request(service, session, request)
    booking = place_booking(
        db, service=service, session=session, order=order, request=request
    )
    item.booking_id = booking.id
