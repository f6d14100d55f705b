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

from frontdesk.bookings.errors import (
    BookingEnded,
    InvalidBooking,
    InvalidTransition,
    PaymentOptionNotAllowed,
    SessionFull,
)
from frontdesk.bookings.models import ENDED_STATUSES, Booking, BookingStatus
from frontdesk.catalog.models import (
    PLAN_PAYMENT_OPTIONS,
    PaymentOption,
    Service,
    ServiceType,
)
from frontdesk.clock import utc_now
from frontdesk.contacts.models import Contact
from frontdesk.errors import MissingScope, StaleRevision
from frontdesk.events.service import record_event
from frontdesk.lookup import get_or_404, lock_or_404, race_window
from frontdesk.orders.errors import OrderHasPayments
from frontdesk.orders.models import LineKind, Order, OrderLine
from frontdesk.orders.service import (
    add_line,
    line_of_booking,
    note_activity,
    open_order,
    settle,
)
from frontdesk.payments.models import PaymentMethod
from frontdesk.payments.service import lock_order, parse_amount, record_payment
from frontdesk.plans import service as plans
from frontdesk.plans.eligibility import Charge
from frontdesk.plans.errors import AlreadyRedeemed
from frontdesk.sessions.errors import SessionCanceled
from frontdesk.sessions.locking import lock_session, lock_sessions
from frontdesk.sessions.models import Session, SessionStatus
from frontdesk.sessions.service import booked_participants


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
    _guard_request(service, session, request)
    if service.type is ServiceType.COURSE:
        # A course booking takes a place on every session: the course's
        # capacity lives on the service, so its row is the one locked.
        lock_or_404(db, Service, service.id, noun="service")
    booked = _guard_capacity(db, service, session, request)
    race_window(db)

    booking = _insert_booking(db, service, session, request, booked)
    order = open_order(db, contact_id=request.contact_id, currency=service.currency)
    booking.order_id = order.id
    line = add_line(
        db,
        order=order,
        kind=LineKind.BOOKING,
        description=f"{service.name}, {session.start_at.isoformat()}",
        unit_price_minor=service.price_minor,
        quantity=request.participants,
        booking_id=booking.id,
    )
    _announce_booking(db, booking)

    if request.payment_option is PaymentOption.MEMBERSHIP:
        _redeem(db, booking, session, order, line, request.membership_id)
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


def _guard_request(service: Service, session: Session, request: BookingRequest) -> None:
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
        request.payment_option is PaymentOption.MEMBERSHIP_OFFLINE
        and not request.may_defer_plan_payment
    ):
        raise MissingScope(
            "MEMBERSHIP_OFFLINE needs the bookings.manage_payments scope",
            scopes=["bookings.manage_payments"],
        )
    if request.payment_option in PLAN_PAYMENT_OPTIONS and request.payment is not None:
        raise InvalidBooking("a booking paid by plan takes no payment")


def _guard_capacity(
    db: Db, service: Service, session: Session, request: BookingRequest
) -> int:
    """The places already booked, once they leave room for this request."""
    booked = booked_participants(db, session=session, service=service)
    remaining = session.capacity - booked
    if request.participants > remaining and not request.override_capacity:
        raise SessionFull(
            f"{remaining} places left, {request.participants} asked for",
            remaining=max(remaining, 0),
        )
    return booked


def _insert_booking(
    db: Db, service: Service, session: Session, request: BookingRequest, booked: int
) -> Booking:
    needs_approval = bool(service.policy.get("requires_approval"))
    booking = Booking(
        service_id=service.id,
        session_id=None if service.type is ServiceType.COURSE else session.id,
        contact_id=request.contact_id,
        participants=request.participants,
        status=BookingStatus.PENDING if needs_approval else BookingStatus.CONFIRMED,
        payment_option=request.payment_option.value,
        overrode_capacity=request.override_capacity
        and booked + request.participants > session.capacity,
        roster_position=_next_roster_position(db, service, session),
        external_ref=request.external_ref,
    )
    db.add(booking)
    db.flush()
    return booking


def _next_roster_position(db: Db, service: Service, session: Session) -> int:
    # Taken under the same lock as the capacity check, so positions are unique
    # per session and the roster never re-sorts itself.
    column = (
        Booking.service_id if service.type is ServiceType.COURSE else Booking.session_id
    )
    key = service.id if service.type is ServiceType.COURSE else session.id
    last = db.scalar(
        select(func.coalesce(func.max(Booking.roster_position), 0)).where(column == key)
    )
    return int(last or 0) + 1


def _announce_booking(db: Db, booking: Booking) -> None:
    data = _event_data(booking)
    record_event(db, type="booking.created", subject_id=booking.id, data=data)
    if booking.status == BookingStatus.CONFIRMED:
        record_event(db, type="booking.confirmed", subject_id=booking.id, data=data)


def _event_data(booking: Booking) -> dict[str, object]:
    return {
        "booking_id": str(booking.id),
        "session_id": str(booking.session_id) if booking.session_id else None,
        "service_id": str(booking.service_id),
        "contact_id": str(booking.contact_id),
        "participants": booking.participants,
        "status": str(booking.status),
    }


def charge_of(db: Db, booking: Booking) -> Charge:
    starts_at = None
    if booking.session_id is not None:
        starts_at = get_or_404(db, Session, booking.session_id, noun="session").start_at
    return Charge(
        contact_id=booking.contact_id,
        service_id=booking.service_id,
        starts_at=starts_at,
        participants=booking.participants,
    )


def _redeem(
    db: Db,
    booking: Booking,
    session: Session,
    order: Order,
    line: OrderLine,
    membership_id: uuid.UUID | None,
) -> None:
    charge = Charge(
        contact_id=booking.contact_id,
        service_id=booking.service_id,
        starts_at=session.start_at,
        participants=booking.participants,
    )
    chosen = plans.choose_membership(db, charge, membership_id)
    plans.redeem(
        db, membership_id=chosen, charge=charge, booking_id=booking.id, line=line
    )
    note_activity(
        db, order=order, kind="REDEEMED", details={"membership_id": str(chosen)}
    )


def get_booking(db: Db, booking_id: uuid.UUID) -> Booking:
    return get_or_404(db, Booking, booking_id, noun="booking")


def _lock_for_change(db: Db, booking_id: uuid.UUID, revision: int | None) -> Booking:
    booking = lock_or_404(db, Booking, booking_id, noun="booking")
    if revision is not None and revision != booking.revision:
        raise StaleRevision(
            f"the booking is at revision {booking.revision}, not {revision}",
            current_revision=booking.revision,
        )
    return booking


def _touch(booking: Booking) -> None:
    booking.revision += 1


def redeem_booking(
    db: Db,
    *,
    booking_id: uuid.UUID,
    membership_id: uuid.UUID,
    revision: int | None = None,
) -> Booking:
    """Charge an existing booking to a chosen membership (MEMBERSHIP_OFFLINE)."""
    booking = _lock_for_change(db, booking_id, revision)
    if booking.status in ENDED_STATUSES:
        raise BookingEnded("a canceled or declined booking cannot be redeemed")
    service = get_or_404(db, Service, booking.service_id, noun="service")
    if not PLAN_PAYMENT_OPTIONS & {PaymentOption(o) for o in service.payment_options}:
        raise PaymentOptionNotAllowed(f"{service.name} cannot be paid by plan")
    assert booking.order_id is not None
    order = lock_order(db, booking.order_id)
    line = line_of_booking(db, booking.id)
    assert line is not None
    if line.paid_by_membership_id is not None:
        raise AlreadyRedeemed("the booking is already paid by a plan")
    if order.paid_minor > order.refunded_minor:
        raise OrderHasPayments("money was taken for this booking; refund it first")
    plans.redeem(
        db,
        membership_id=membership_id,
        charge=charge_of(db, booking),
        booking_id=booking.id,
        line=line,
    )
    note_activity(
        db, order=order, kind="REDEEMED", details={"membership_id": str(membership_id)}
    )
    _touch(booking)
    settle(db, order)
    return booking


def confirm(db: Db, *, booking_id: uuid.UUID, revision: int | None) -> Booking:
    booking = _lock_for_change(db, booking_id, revision)
    if booking.status not in (BookingStatus.PENDING, BookingStatus.CREATED):
        raise InvalidTransition(f"a {booking.status} booking cannot be confirmed")
    booking.status = BookingStatus.CONFIRMED
    _touch(booking)
    record_event(
        db, type="booking.confirmed", subject_id=booking.id, data=_event_data(booking)
    )
    return booking


def decline(db: Db, *, booking_id: uuid.UUID, revision: int | None) -> Booking:
    booking = _lock_for_change(db, booking_id, revision)
    if booking.status != BookingStatus.PENDING:
        raise InvalidTransition(f"a {booking.status} booking cannot be declined")
    booking.status = BookingStatus.DECLINED
    _release(db, booking)
    record_event(
        db, type="booking.declined", subject_id=booking.id, data=_event_data(booking)
    )
    return booking


def cancel(db: Db, *, booking_id: uuid.UUID, revision: int | None) -> Booking:
    booking = _lock_for_change(db, booking_id, revision)
    if booking.status in ENDED_STATUSES:
        raise BookingEnded(f"the booking is already {booking.status}")
    race_window(db)
    booking.status = BookingStatus.CANCELED
    _release(db, booking)
    record_event(
        db, type="booking.canceled", subject_id=booking.id, data=_event_data(booking)
    )
    return booking


def _release(db: Db, booking: Booking) -> None:
    """An ended booking gives back its credit and stops owing its price."""
    _touch(booking)
    plans.reverse_redemption(db, booking_id=booking.id)
    if booking.order_id is None:
        return
    order = lock_order(db, booking.order_id)
    line = line_of_booking(db, booking.id)
    if line is not None:
        line.voided_at = utc_now()
        note_activity(
            db, order=order, kind="LINE_VOIDED", details={"booking_id": str(booking.id)}
        )
    settle(db, order)


def reschedule(
    db: Db, *, booking_id: uuid.UUID, session_id: uuid.UUID, revision: int | None
) -> Booking:
    booking = get_booking(db, booking_id)
    if booking.session_id is None:
        raise InvalidBooking("a course booking covers every session; it cannot move")
    # Both sessions, in id order, so two opposite moves cannot deadlock.
    lock_sessions(db, [booking.session_id, session_id])
    booking = _lock_for_change(db, booking_id, revision)
    if booking.status in ENDED_STATUSES:
        raise BookingEnded("a canceled or declined booking cannot move")
    target = get_or_404(db, Session, session_id, noun="session")
    service = get_or_404(db, Service, booking.service_id, noun="service")
    if target.service_id != booking.service_id:
        raise InvalidBooking("a booking can move only to a session of its own service")
    if target.status == SessionStatus.CANCELED:
        raise SessionCanceled("the session is canceled")
    remaining = target.capacity - booked_participants(
        db, session=target, service=service
    )
    if booking.participants > remaining:
        raise SessionFull(
            f"{remaining} places left on the new session", remaining=remaining
        )
    booking.session_id = target.id
    booking.roster_position = _next_roster_position(db, service, target)
    _touch(booking)
    record_event(
        db, type="booking.rescheduled", subject_id=booking.id, data=_event_data(booking)
    )
    return booking


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
