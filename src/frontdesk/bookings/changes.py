"""Changes to an existing booking, each taking the revision it was read at.

Locks are taken in one order everywhere: session, booking, membership, order.
A change that frees places fills them from the waitlist in the same
transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import replace

from sqlalchemy.orm import Session as Db

from frontdesk.bookings import waitlist
from frontdesk.bookings.charges import charge_of
from frontdesk.bookings.errors import (
    BookingEnded,
    InvalidBooking,
    InvalidTransition,
    OfferExpired,
    PaymentOptionNotAllowed,
    SessionFull,
)
from frontdesk.bookings.models import ENDED_STATUSES, Booking, BookingStatus
from frontdesk.bookings.revision import check_revision
from frontdesk.bookings.service import event_data, next_roster_position
from frontdesk.bookings.views import paying_memberships
from frontdesk.catalog.models import PLAN_PAYMENT_OPTIONS, PaymentOption, Service
from frontdesk.clock import utc_now
from frontdesk.errors import Conflict
from frontdesk.events.service import record_event
from frontdesk.lookup import get_or_404, lock_or_404, race_window
from frontdesk.orders.errors import OrderHasPayments, PlaceNotGiven
from frontdesk.orders.service import (
    line_of_booking,
    note_activity,
    settle,
    void_booking_line,
)
from frontdesk.payments.service import lock_order
from frontdesk.plans import service as plans
from frontdesk.plans.eligibility import Ineligibility, why_not
from frontdesk.plans.errors import (
    AlreadyRedeemed,
    MembershipExpired,
    MembershipNotEligible,
)
from frontdesk.plans.models import Membership, Plan
from frontdesk.sessions.errors import SessionCanceled
from frontdesk.sessions.locking import lock_session, lock_sessions
from frontdesk.sessions.models import Session, SessionStatus
from frontdesk.sessions.service import booked_participants


def lock_for_change(
    db: Db, booking_id: uuid.UUID, revision: int | None
) -> tuple[Booking, Session | None]:
    """Lock the booking's session, then the booking, and check the revision."""
    session_id = get_or_404(db, Booking, booking_id, noun="booking").session_id
    session = lock_session(db, session_id) if session_id is not None else None
    booking = lock_or_404(db, Booking, booking_id, noun="booking")
    if booking.session_id != session_id:
        raise Conflict("the booking moved while it was being changed; read it again")
    check_revision(booking, revision)
    return booking, session


def confirm(db: Db, *, booking_id: uuid.UUID, revision: int | None) -> Booking:
    """Confirm a booking waiting for approval, or take a place offered."""
    booking, session = lock_for_change(db, booking_id, revision)
    if booking.status == BookingStatus.WAITING_LIST:
        _take_offer(db, booking, session)
        return booking
    if booking.status not in (BookingStatus.PENDING, BookingStatus.CREATED):
        raise InvalidTransition(f"a {booking.status} booking cannot be confirmed")
    booking.status = BookingStatus.CONFIRMED
    booking.revision += 1
    record_event(
        db, type="booking.confirmed", subject_id=booking.id, data=event_data(booking)
    )
    return booking


def _take_offer(db: Db, booking: Booking, session: Session | None) -> None:
    if booking.offered_until is None:
        raise InvalidTransition("the booking waits in line; no place is offered yet")
    if booking.offered_until <= utc_now():
        raise OfferExpired("the offered place was not taken in time")
    waitlist.confirm_from_line(db, booking)


def decline(db: Db, *, booking_id: uuid.UUID, revision: int | None) -> Booking:
    booking, session = lock_for_change(db, booking_id, revision)
    if booking.status != BookingStatus.PENDING:
        raise InvalidTransition(f"a {booking.status} booking cannot be declined")
    booking.status = BookingStatus.DECLINED
    _release(db, booking, session)
    record_event(
        db, type="booking.declined", subject_id=booking.id, data=event_data(booking)
    )
    return booking


def cancel(db: Db, *, booking_id: uuid.UUID, revision: int | None) -> Booking:
    booking, session = lock_for_change(db, booking_id, revision)
    if booking.status in ENDED_STATUSES:
        raise BookingEnded(f"the booking is already {booking.status}")
    race_window(db)
    booking.status = BookingStatus.CANCELED
    booking.offered_until = None
    record_event(
        db, type="booking.canceled", subject_id=booking.id, data=event_data(booking)
    )
    _release(db, booking, session)
    return booking


def _release(db: Db, booking: Booking, session: Session | None) -> None:
    """An ended booking gives back its credit, stops owing, frees its place."""
    booking.revision += 1
    plans.reverse_redemption(db, booking_id=booking.id)
    void_booking_line(db, booking=booking)
    if session is not None:
        service = get_or_404(db, Service, booking.service_id, noun="service")
        waitlist.fill_freed_places(db, session=session, service=service)


def reschedule(
    db: Db, *, booking_id: uuid.UUID, session_id: uuid.UUID, revision: int | None
) -> Booking:
    current = get_or_404(db, Booking, booking_id, noun="booking")
    if current.session_id is None:
        raise InvalidBooking("a course booking covers every session; it cannot move")
    # Both sessions, in id order, so two opposite moves cannot deadlock.
    locked = {s.id: s for s in lock_sessions(db, [current.session_id, session_id])}
    booking = lock_or_404(db, Booking, booking_id, noun="booking")
    check_revision(booking, revision)
    if booking.status in ENDED_STATUSES or booking.status == BookingStatus.WAITING_LIST:
        raise BookingEnded(f"a {booking.status} booking cannot move")
    source, target = locked[current.session_id], locked[session_id]
    service = get_or_404(db, Service, booking.service_id, noun="service")
    _guard_target(db, booking, service, target)
    _guard_plan_still_pays(db, booking, target)
    # The seat is numbered before the booking moves: the count query would
    # otherwise flush the move with the old seat number, a duplicate there.
    seat = next_roster_position(db, service, target)
    booking.session_id, booking.roster_position = target.id, seat
    booking.revision += 1
    record_event(
        db, type="booking.rescheduled", subject_id=booking.id, data=event_data(booking)
    )
    db.flush()
    waitlist.fill_freed_places(db, session=source, service=service)
    return booking


def _guard_target(db: Db, booking: Booking, service: Service, target: Session) -> None:
    if target.service_id != booking.service_id:
        raise InvalidBooking("a booking can move only to a session of its own service")
    if target.status == SessionStatus.CANCELED:
        raise SessionCanceled("the session is canceled")
    if target.id == booking.session_id:
        raise InvalidBooking("the booking is already on that session")
    remaining = target.capacity - booked_participants(
        db, session=target, service=service
    )
    if booking.participants > remaining:
        raise SessionFull(
            f"{max(remaining, 0)} places left on the new session",
            remaining=max(remaining, 0),
        )


def _guard_plan_still_pays(db: Db, booking: Booking, target: Session) -> None:
    """A pass that paid for the old time must also be valid at the new one."""
    membership_id = paying_memberships(db, [booking.id]).get(booking.id)
    if membership_id is None or booking.payment_status != "PAID_BY_PLAN":
        return
    membership = get_or_404(db, Membership, membership_id, noun="membership")
    plan = get_or_404(db, Plan, membership.plan_id, noun="plan")
    moved = replace(charge_of(db, booking), starts_at=target.start_at, participants=0)
    reason = why_not(membership, plan, moved)
    if reason is Ineligibility.EXPIRED:
        raise MembershipExpired("the membership that paid is not valid at the new time")
    if reason is not None:
        raise MembershipNotEligible(
            f"the membership that paid cannot cover the new time: {reason.value}",
            reason=reason.value,
        )


def redeem_booking(
    db: Db,
    *,
    booking_id: uuid.UUID,
    membership_id: uuid.UUID,
    revision: int | None = None,
) -> Booking:
    """Charge an existing booking to a chosen membership (MEMBERSHIP_OFFLINE)."""
    booking = lock_or_404(db, Booking, booking_id, noun="booking")
    check_revision(booking, revision)
    if booking.status in ENDED_STATUSES:
        raise BookingEnded("a canceled or declined booking cannot be redeemed")
    if booking.status == BookingStatus.WAITING_LIST:
        # The pass pays when the place is given (bookings/waitlist.py).
        raise PlaceNotGiven("a place in line is not paid for; it is charged when given")
    service = get_or_404(db, Service, booking.service_id, noun="service")
    if not PLAN_PAYMENT_OPTIONS & {PaymentOption(o) for o in service.payment_options}:
        raise PaymentOptionNotAllowed(f"{service.name} cannot be paid by plan")
    line = line_of_booking(db, booking.id)
    if line is None or booking.order_id is None:
        raise InvalidBooking("the booking has no order line to charge")
    if line.paid_by_membership_id is not None:
        raise AlreadyRedeemed("the booking is already paid by a plan")
    # The membership is locked (inside redeem) before the order, as everywhere.
    plans.redeem(
        db,
        membership_id=membership_id,
        charge=charge_of(db, booking),
        booking_id=booking.id,
        line=line,
    )
    order = lock_order(db, booking.order_id)
    if order.paid_minor > order.refunded_minor:
        raise OrderHasPayments("money was taken for this booking; refund it first")
    note_activity(
        db, order=order, kind="REDEEMED", details={"membership_id": str(membership_id)}
    )
    booking.revision += 1
    settle(db, order)
    return booking
