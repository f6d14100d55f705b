"""Changes to one occurrence: capacity, staff, time, cancellation.

A capacity that grows fills the new places from the waitlist at once; one
that shrinks leaves the line waiting, and may not go below what is booked.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session as Db

from frontdesk.bookings import changes as booking_changes
from frontdesk.bookings import waitlist
from frontdesk.bookings.models import ENDED_STATUSES, Booking
from frontdesk.catalog.models import Service
from frontdesk.events.service import record_event
from frontdesk.lookup import get_or_404
from frontdesk.sessions.errors import (
    CapacityBelowBooked,
    InvalidSchedule,
    SessionCanceled,
)
from frontdesk.sessions.locking import lock_session
from frontdesk.sessions.models import Session, SessionStatus
from frontdesk.sessions.service import booked_participants
from frontdesk.staff.models import StaffMember


def change_session(
    db: Db,
    *,
    session_id: uuid.UUID,
    capacity: int | None = None,
    staff_member_id: uuid.UUID | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    canceled: bool | None = None,
) -> Session:
    session = lock_session(db, session_id)
    service = get_or_404(db, Service, session.service_id, noun="service")
    if capacity is not None:
        booked = booked_participants(db, session=session, service=service)
        if capacity < booked:
            raise CapacityBelowBooked(
                f"{booked} places are booked; capacity cannot go to {capacity}",
                booked=booked,
            )
        grows = capacity > session.capacity
        session.capacity = capacity
        if grows:
            db.flush()
            waitlist.fill_freed_places(db, session=session, service=service)
    if staff_member_id is not None:
        get_or_404(db, StaffMember, staff_member_id, noun="staff member")
        session.staff_member_id = staff_member_id
    if start is not None or end is not None:
        new_start = start or session.start_at
        new_end = end or (new_start + (session.end_at - session.start_at))
        if new_end <= new_start:
            raise InvalidSchedule("a session must end after it starts")
        session.start_at, session.end_at = new_start, new_end
    if canceled is False and session.status == SessionStatus.CANCELED:
        raise SessionCanceled(
            "a canceled session cannot be restored; schedule a new one"
        )
    if canceled and session.status != SessionStatus.CANCELED:
        _cancel_occurrence(db, session)
    db.flush()
    return session


def _cancel_occurrence(db: Db, session: Session) -> None:
    """A canceled class takes its bookings with it: credits go back, lines void.

    Money already taken stays on the orders, paid, for staff to refund.
    """
    session.status = SessionStatus.CANCELED
    live = db.scalars(
        select(Booking.id)
        .where(Booking.session_id == session.id)
        .where(Booking.status.not_in(ENDED_STATUSES))
        .order_by(Booking.id)
    )
    for booking_id in list(live):
        booking_changes.cancel(db, booking_id=booking_id, revision=None)
    record_event(
        db,
        type="session.canceled",
        subject_id=session.id,
        data={"session_id": str(session.id)},
    )
