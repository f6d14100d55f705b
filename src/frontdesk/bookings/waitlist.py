"""The waitlist: who waits for a full session, and who gets a freed place.

A service's policy may open a waitlist: `{"waitlist": {"enabled": true,
"capacity": 5, "offer_hold_minutes": 10}}`. With no hold, a freed place
confirms the first in line at once; with a hold, the first in line is offered
the place and holds it until the offer lapses. A promoted booking leaves the
line in the same transaction as its promotion, so it is never offered that
session again. Every function here runs under the session's lock.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session as Db

from frontdesk.bookings.charges import charge_of
from frontdesk.bookings.models import Booking, BookingStatus
from frontdesk.catalog.models import PaymentOption, Service, ServiceType
from frontdesk.clock import utc_now
from frontdesk.errors import FrontdeskError
from frontdesk.events.service import record_event
from frontdesk.orders.service import (
    line_of_booking,
    note_activity,
    settle,
    void_booking_line,
)
from frontdesk.payments.service import lock_order
from frontdesk.plans import service as plans
from frontdesk.plans.eligibility import Charge
from frontdesk.plans.errors import MembershipNotEligible
from frontdesk.sessions.models import Session, SessionStatus
from frontdesk.sessions.service import booked_participants


@dataclass(frozen=True)
class WaitlistPolicy:
    enabled: bool
    capacity: int
    offer_hold: timedelta | None

    @classmethod
    def of(cls, service: Service) -> WaitlistPolicy:
        raw = service.policy.get("waitlist") or {}
        hold = int(raw.get("offer_hold_minutes") or 0)
        return cls(
            enabled=bool(raw.get("enabled")) and service.type != ServiceType.COURSE,
            capacity=int(raw.get("capacity") or 0),
            offer_hold=timedelta(minutes=hold) if hold > 0 else None,
        )


def waiting_participants(db: Db, session: Session) -> int:
    return int(
        db.scalar(
            select(func.coalesce(func.sum(Booking.participants), 0))
            .where(Booking.session_id == session.id)
            .where(Booking.status == BookingStatus.WAITING_LIST)
            .where(Booking.offered_until.is_(None))
        )
        or 0
    )


def has_room_in_line(db: Db, service: Service, session: Session, wanted: int) -> bool:
    policy = WaitlistPolicy.of(service)
    if not policy.enabled:
        return False
    return waiting_participants(db, session) + wanted <= policy.capacity


def announce_waiting(db: Db, booking: Booking) -> None:
    record_event(
        db,
        type="booking.waitlisted",
        subject_id=booking.id,
        data={"booking_id": str(booking.id), "session_id": str(booking.session_id)},
    )


def fill_freed_places(db: Db, *, session: Session, service: Service) -> list[Booking]:
    """Promote the line, first come first served, while freed places remain.

    Offers past their hold lapse first, so their places go to the next in line.
    """
    lapse_offers(db, session=session)
    if session.status == SessionStatus.CANCELED:
        return []
    policy = WaitlistPolicy.of(service)
    remaining = session.capacity - booked_participants(
        db, session=session, service=service
    )
    promoted: list[Booking] = []
    for waiting in _line(db, session):
        # Strictly in order: nobody smaller jumps ahead of the first in line.
        if waiting.participants > remaining:
            break
        if policy.offer_hold is None:
            confirm_from_line(db, waiting)
        else:
            _offer(db, waiting, policy.offer_hold)
        remaining -= waiting.participants
        promoted.append(waiting)
    return promoted


def lapse_offers(db: Db, *, session: Session) -> list[Booking]:
    """Offers not taken in time end: the booking is canceled, its line voided."""
    lapsed = list(
        db.scalars(
            select(Booking)
            .where(Booking.session_id == session.id)
            .where(Booking.status == BookingStatus.WAITING_LIST)
            .where(Booking.offered_until.is_not(None))
            .where(Booking.offered_until <= utc_now())
            .order_by(Booking.roster_position)
        )
    )
    for booking in lapsed:
        booking.status = BookingStatus.CANCELED
        booking.offered_until = None
        booking.revision += 1
        plans.reverse_redemption(db, booking_id=booking.id)
        void_booking_line(db, booking=booking)
        record_event(
            db,
            type="booking.offer_lapsed",
            subject_id=booking.id,
            data={"booking_id": str(booking.id), "session_id": str(session.id)},
        )
    return lapsed


def confirm_from_line(db: Db, booking: Booking) -> None:
    """Give the place to a waiting booking: it leaves the line at once."""
    booking.status = BookingStatus.CONFIRMED
    booking.offered_until = None
    booking.revision += 1
    data = {"booking_id": str(booking.id), "session_id": str(booking.session_id)}
    record_event(db, type="booking.promoted", subject_id=booking.id, data=data)
    record_event(db, type="booking.confirmed", subject_id=booking.id, data=data)
    if booking.payment_option == PaymentOption.MEMBERSHIP:
        _redeem_on_promotion(db, booking)


def _redeem_on_promotion(db: Db, booking: Booking) -> None:
    # The plan pays when the place is taken, not while waiting. If no
    # membership can pay any more, the place is still given; the booking
    # then owes its price like a drop-in, which the roster shows.
    line = line_of_booking(db, booking.id)
    if line is None or booking.order_id is None:
        return
    charge = charge_of(db, booking)
    savepoint = db.begin_nested()
    try:
        chosen = _paying_membership(db, booking, charge)
        plans.redeem(
            db, membership_id=chosen, charge=charge, booking_id=booking.id, line=line
        )
    except FrontdeskError:
        savepoint.rollback()
        record_event(
            db,
            type="booking.redemption_failed",
            subject_id=booking.id,
            data={"booking_id": str(booking.id)},
        )
        return
    savepoint.commit()
    order = lock_order(db, booking.order_id)
    note_activity(
        db, order=order, kind="REDEEMED", details={"membership_id": str(chosen)}
    )
    settle(db, order)


def _paying_membership(db: Db, booking: Booking, charge: Charge) -> uuid.UUID:
    """The membership the booking asked for, or the first of the contact's
    eligible ones to expire, so that a member with two passes is never left
    unpromoted for want of a choice."""
    if booking.requested_membership_id is not None:
        return booking.requested_membership_id
    usable = [m.id for m, _p, why in plans.eligible_memberships(db, charge) if not why]
    if not usable:
        raise MembershipNotEligible("no membership can pay for the place")
    return usable[0]


def _offer(db: Db, booking: Booking, hold: timedelta) -> None:
    booking.offered_until = utc_now() + hold
    booking.revision += 1
    record_event(
        db,
        type="booking.place_offered",
        subject_id=booking.id,
        data={
            "booking_id": str(booking.id),
            "session_id": str(booking.session_id),
            "offered_until": booking.offered_until.isoformat(),
        },
    )


def _line(db: Db, session: Session) -> list[Booking]:
    return list(
        db.scalars(
            select(Booking)
            .where(Booking.session_id == session.id)
            .where(Booking.status == BookingStatus.WAITING_LIST)
            .where(Booking.offered_until.is_(None))
            .order_by(Booking.roster_position, Booking.id)
        )
    )
