"""Bookings as the API shows them, loaded in batches (no lazy loading)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session as Db

from frontdesk.attendance.models import Attendance
from frontdesk.attendance.service import attendance_of
from frontdesk.bookings.models import Booking, BookingStatus
from frontdesk.bookings.schemas import AttendanceOut, BookingOut
from frontdesk.clock import in_zone
from frontdesk.orders.models import OrderLine
from frontdesk.sessions.models import Session


def paying_memberships(
    db: Db, booking_ids: list[uuid.UUID]
) -> dict[uuid.UUID, uuid.UUID]:
    """The membership named by each booking's order line, where a plan pays."""
    if not booking_ids:
        return {}
    rows = db.execute(
        select(OrderLine.booking_id, OrderLine.paid_by_membership_id)
        .where(OrderLine.booking_id.in_(booking_ids))
        .where(OrderLine.paid_by_membership_id.is_not(None))
        .order_by(OrderLine.created_at)
    )
    return {
        booking_id: membership_id
        for booking_id, membership_id in rows
        if booking_id is not None and membership_id is not None
    }


def sessions_by_id(db: Db, session_ids: set[uuid.UUID]) -> dict[uuid.UUID, Session]:
    if not session_ids:
        return {}
    return {
        s.id: s for s in db.scalars(select(Session).where(Session.id.in_(session_ids)))
    }


def present_bookings(db: Db, bookings: Sequence[Booking]) -> list[BookingOut]:
    ids = [b.id for b in bookings]
    sessions = sessions_by_id(db, {b.session_id for b in bookings if b.session_id})
    memberships = paying_memberships(db, ids)
    attendance = attendance_of(db, ids)
    places = waitlist_positions(db, bookings)
    out = []
    for booking in bookings:
        session = sessions.get(booking.session_id) if booking.session_id else None
        mark = attendance.get(booking.id)
        # A booking's instants read in its session's zone, as its start does.
        zone = session.timezone if session else "UTC"
        out.append(
            BookingOut(
                id=booking.id,
                status=booking.status,
                payment_status=booking.payment_status,
                payment_option=booking.payment_option,
                participants=booking.participants,
                revision=booking.revision,
                service_id=booking.service_id,
                session_id=booking.session_id,
                contact_id=booking.contact_id,
                order_id=booking.order_id,
                membership_id=memberships.get(booking.id),
                attendance=None if mark is None else attendance_out(mark, zone),
                waitlist_position=places.get(booking.id),
                offered_until=_local(booking.offered_until, zone),
                start=in_zone(session.start_at, session.timezone) if session else None,
                end=in_zone(session.end_at, session.timezone) if session else None,
                timezone=session.timezone if session else None,
                created_at=in_zone(booking.created_at, zone),
            )
        )
    return out


def attendance_out(mark: Attendance, zone: str) -> AttendanceOut:
    return AttendanceOut(
        status=mark.status,
        attendees=mark.attendees,
        recorded_at=in_zone(mark.recorded_at, zone),
    )


def _local(instant: datetime | None, zone: str) -> datetime | None:
    return None if instant is None else in_zone(instant, zone)


def waitlist_positions(db: Db, bookings: Sequence[Booking]) -> dict[uuid.UUID, int]:
    """Each waiting booking's place in its session's line, 1 being next."""
    sessions = {
        b.session_id
        for b in bookings
        if b.status == BookingStatus.WAITING_LIST and b.offered_until is None
    }
    if not sessions:
        return {}
    line = db.execute(
        select(Booking.id, Booking.session_id)
        .where(Booking.session_id.in_(sessions))
        .where(Booking.status == BookingStatus.WAITING_LIST)
        .where(Booking.offered_until.is_(None))
        .order_by(Booking.session_id, Booking.roster_position, Booking.id)
    )
    positions: dict[uuid.UUID, int] = {}
    counters: dict[uuid.UUID | None, int] = {}
    for booking_id, session_id in line:
        counters[session_id] = counters.get(session_id, 0) + 1
        positions[booking_id] = counters[session_id]
    return positions


def present_booking(db: Db, booking: Booking) -> BookingOut:
    return present_bookings(db, [booking])[0]
