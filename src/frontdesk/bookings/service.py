"""Booking: a place on a session, its order line and its payment, at once.

Every function here runs inside the caller's unit of work and never commits.
A booking's capacity check happens under the session's row lock (PostgreSQL)
or the database write lock (SQLite, BEGIN IMMEDIATE), so the seat count read
is still true when the booking is inserted (invariant 1).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session as Db

from frontdesk.bookings import waitlist
from frontdesk.bookings.charges import charge_of
from frontdesk.bookings.errors import (
    InvalidBooking,
    PaymentOptionNotAllowed,
    SessionFull,
    WaitlistFull,
)
from frontdesk.bookings.models import Booking, BookingStatus
from frontdesk.catalog.models import (
    PLAN_PAYMENT_OPTIONS,
    PaymentOption,
    Service,
    ServiceType,
)
from frontdesk.clock import in_zone
from frontdesk.contacts.models import Contact
from frontdesk.errors import MissingScope
from frontdesk.events.service import record_event
from frontdesk.lookup import get_or_404, lock_or_404, race_window
from frontdesk.orders.models import LineKind, Order, OrderLine
from frontdesk.orders.service import add_line, note_activity, open_order, settle
from frontdesk.payments.models import PaymentMethod
from frontdesk.payments.service import parse_amount, record_payment
from frontdesk.plans import service as plans
from frontdesk.sessions.errors import SessionCanceled
from frontdesk.sessions.locking import lock_session
from frontdesk.sessions.models import Session, SessionStatus
from frontdesk.sessions.service import booked_participants

__all__ = ["BookingRequest", "PaymentRequest", "book", "charge_of", "place_booking"]


@dataclass(frozen=True)
class PaymentRequest:
    method: PaymentMethod
    amount: str
    reference: str | None = None


@dataclass(frozen=True)
class BookingRequest:
    session_id: uuid.UUID
    contact_id: uuid.UUID
    participants: int
    payment_option: PaymentOption
    membership_id: uuid.UUID | None = None
    payment: PaymentRequest | None = None
    override_capacity: bool = False
    may_defer_plan_payment: bool = False
    external_ref: str | None = None


def book(db: Db, request: BookingRequest) -> Booking:
    """Make the booking, its order and line, and apply the payment or plan."""
    session = lock_session(db, request.session_id)
    service = get_or_404(db, Service, session.service_id, noun="service")
    get_or_404(db, Contact, request.contact_id, noun="contact")
    guard_request(service, session, request)
    if service.type == ServiceType.COURSE:
        # A course booking takes a place on every session: the course's
        # capacity lives on the service, so its row is the one locked.
        lock_or_404(db, Service, service.id, noun="service")
    # Lapsed offers and free places go to the line first; while anyone waits,
    # a newcomer joins the end of the line rather than jumping it.
    waitlist.fill_freed_places(db, session=session, service=service)
    joins_line = not request.override_capacity and (
        waitlist.waiting_participants(db, session) > 0
        or not _has_room(db, service, session, request)
    )
    if joins_line and request.payment is not None:
        # No money is taken for a place in line: a paying booking is refused.
        raise _full(db, service, session, request)
    if joins_line and not waitlist.has_room_in_line(
        db, service, session, request.participants
    ):
        raise _full(db, service, session, request, waitlist_too=True)
    race_window(db)

    order = open_order(db, contact_id=request.contact_id, currency=service.currency)
    booking = place_booking(
        db,
        service=service,
        session=session,
        order=order,
        request=request,
        waiting=joins_line,
    )
    if request.payment is None:
        settle(db, order)
    else:
        # Recording the payment settles the order.
        record_payment(
            db,
            order=order,
            method=request.payment.method,
            amount=parse_amount(request.payment.amount, order.currency),
            reference=request.payment.reference,
        )
    return booking


def place_booking(
    db: Db,
    *,
    service: Service,
    session: Session,
    order: Order,
    request: BookingRequest,
    waiting: bool = False,
) -> Booking:
    """Insert one booking and its line on `order`; the caller holds the lock."""
    booking = _insert_booking(db, service, session, request, waiting)
    booking.order_id = order.id
    line = add_line(
        db,
        order=order,
        kind=LineKind.BOOKING,
        description=f"{service.name}, {_local_start(session)}",
        unit_price_minor=service.price_minor,
        quantity=request.participants,
        booking_id=booking.id,
    )
    _announce_booking(db, booking)
    if request.payment_option == PaymentOption.MEMBERSHIP and not waiting:
        _redeem(db, booking, session, order, line, request.membership_id)
    return booking


def _local_start(session: Session) -> str:
    return in_zone(session.start_at, session.timezone).isoformat(timespec="minutes")


def guard_request(service: Service, session: Session, request: BookingRequest) -> None:
    if session.status == SessionStatus.CANCELED:
        raise SessionCanceled("the session is canceled")
    if request.participants < 1:
        raise InvalidBooking("participants must be at least 1")
    limit = service.policy.get("max_participants_per_booking")
    if limit is not None and request.participants > int(limit):
        raise InvalidBooking(f"at most {limit} participants per booking")
    if not service.allows(request.payment_option):
        raise PaymentOptionNotAllowed(
            f"{service.name} does not take {request.payment_option.value}",
            allowed=service.payment_options,
        )
    if (
        request.payment_option == PaymentOption.MEMBERSHIP_OFFLINE
        and not request.may_defer_plan_payment
    ):
        raise MissingScope(
            "MEMBERSHIP_OFFLINE needs the bookings.manage_payments scope",
            scopes=["bookings.manage_payments"],
        )
    if request.payment_option in PLAN_PAYMENT_OPTIONS and request.payment is not None:
        raise InvalidBooking("a booking paid by plan takes no payment")


def remaining_places(db: Db, service: Service, session: Session) -> int:
    capacity = (
        service.capacity if service.type == ServiceType.COURSE else session.capacity
    )
    return capacity - booked_participants(db, session=session, service=service)


def _has_room(
    db: Db, service: Service, session: Session, request: BookingRequest
) -> bool:
    return request.override_capacity or (
        request.participants <= remaining_places(db, service, session)
    )


def _full(
    db: Db,
    service: Service,
    session: Session,
    request: BookingRequest,
    waitlist_too: bool = False,
) -> SessionFull:
    remaining = remaining_places(db, service, session)
    # A service with a waitlist says so when its line is full too.
    has_line = waitlist.WaitlistPolicy.of(service).enabled
    kind = WaitlistFull if waitlist_too and has_line else SessionFull
    return kind(
        f"{max(remaining, 0)} places left, {request.participants} asked for",
        remaining=max(remaining, 0),
    )


def _insert_booking(
    db: Db, service: Service, session: Session, request: BookingRequest, waiting: bool
) -> Booking:
    needs_approval = bool(service.policy.get("requires_approval"))
    status = BookingStatus.PENDING if needs_approval else BookingStatus.CONFIRMED
    booking = Booking(
        service_id=service.id,
        session_id=None if service.type == ServiceType.COURSE else session.id,
        contact_id=request.contact_id,
        participants=request.participants,
        status=BookingStatus.WAITING_LIST if waiting else status,
        payment_option=request.payment_option,
        overrode_capacity=request.override_capacity
        and request.participants > remaining_places(db, service, session),
        roster_position=next_roster_position(db, service, session),
        requested_membership_id=request.membership_id if waiting else None,
        external_ref=request.external_ref,
    )
    db.add(booking)
    db.flush()
    return booking


def next_roster_position(db: Db, service: Service, session: Session) -> int:
    # Taken under the same lock as the capacity check, so positions are unique
    # per session and the roster never re-sorts itself.
    same_roster = (
        Booking.service_id == service.id
        if service.type == ServiceType.COURSE
        else Booking.session_id == session.id
    )
    last = db.scalar(
        select(func.coalesce(func.max(Booking.roster_position), 0)).where(same_roster)
    )
    return int(last or 0) + 1


def _announce_booking(db: Db, booking: Booking) -> None:
    data = event_data(booking)
    record_event(db, type="booking.created", subject_id=booking.id, data=data)
    if booking.status == BookingStatus.CONFIRMED:
        record_event(db, type="booking.confirmed", subject_id=booking.id, data=data)
    elif booking.status == BookingStatus.WAITING_LIST:
        waitlist.announce_waiting(db, booking)


def event_data(booking: Booking) -> dict[str, object]:
    return {
        "booking_id": str(booking.id),
        "session_id": str(booking.session_id) if booking.session_id else None,
        "service_id": str(booking.service_id),
        "contact_id": str(booking.contact_id),
        "participants": booking.participants,
        "status": str(booking.status),
    }


def _redeem(
    db: Db,
    booking: Booking,
    session: Session,
    order: Order,
    line: OrderLine,
    membership_id: uuid.UUID | None,
) -> None:
    charge = charge_of(db, booking)
    chosen = plans.choose_membership(db, charge, membership_id)
    plans.redeem(
        db, membership_id=chosen, charge=charge, booking_id=booking.id, line=line
    )
    note_activity(
        db, order=order, kind="REDEEMED", details={"membership_id": str(chosen)}
    )


def get_booking(db: Db, booking_id: uuid.UUID) -> Booking:
    return get_or_404(db, Booking, booking_id, noun="booking")


def list_bookings(
    db: Db,
    *,
    session_id: uuid.UUID | None = None,
    contact_id: uuid.UUID | None = None,
    status: BookingStatus | None = None,
    payment_status: str | None = None,
    limit: int = 50,
    after: uuid.UUID | None = None,
) -> list[Booking]:
    query = select(Booking).order_by(Booking.id).limit(limit)
    if session_id is not None:
        query = query.where(Booking.session_id == session_id)
    if contact_id is not None:
        query = query.where(Booking.contact_id == contact_id)
    if status is not None:
        query = query.where(Booking.status == status)
    if payment_status is not None:
        query = query.where(Booking.payment_status == payment_status)
    if after is not None:
        query = query.where(Booking.id > after)
    return list(db.scalars(query))
