from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session as Db

from frontdesk.bookings.models import (
    SEAT_HOLDING_STATUSES,
    Booking,
    BookingStatus,
    holds_a_place,
)
from frontdesk.catalog.models import Service, ServiceType
from frontdesk.clock import is_known_zone, utc_now
from frontdesk.locations.models import Location
from frontdesk.lookup import get_or_404
from frontdesk.sessions.errors import InvalidSchedule
from frontdesk.sessions.models import Series, Session
from frontdesk.sessions.recurrence import expand
from frontdesk.staff.models import StaffMember


@dataclass(frozen=True)
class Occupancy:
    booked: int
    waitlist: int


def zone_of(db: Db, service: Service, requested: str | None) -> str:
    if requested is not None:
        if not is_known_zone(requested):
            raise InvalidSchedule(f"{requested!r} is not an IANA time zone")
        return requested
    if service.location_id is not None:
        return get_or_404(db, Location, service.location_id, noun="location").timezone
    return "UTC"


def schedule_sessions(
    db: Db,
    *,
    service_id: uuid.UUID,
    start: datetime,
    end: datetime,
    rrule: str | None = None,
    timezone: str | None = None,
    capacity: int | None = None,
    staff_member_id: uuid.UUID | None = None,
) -> list[Session]:
    service = get_or_404(db, Service, service_id, noun="service")
    if end <= start:
        raise InvalidSchedule("a session must end after it starts")
    if staff_member_id is not None:
        get_or_404(db, StaffMember, staff_member_id, noun="staff member")
    zone = zone_of(db, service, timezone)
    duration = end - start
    series_id = None
    starts = [start]
    if rrule is not None:
        starts = expand(rrule, first_start=start, timezone=zone)
        series = Series(
            service_id=service.id,
            rrule=rrule,
            first_start=start,
            duration_minutes=int(duration.total_seconds() // 60),
            timezone=zone,
        )
        db.add(series)
        db.flush()
        series_id = series.id
    sessions = [
        Session(
            service_id=service.id,
            series_id=series_id,
            location_id=service.location_id,
            staff_member_id=staff_member_id,
            start_at=occurrence,
            end_at=occurrence + duration,
            timezone=zone,
            capacity=service.capacity if capacity is None else capacity,
        )
        for occurrence in starts
    ]
    db.add_all(sessions)
    db.flush()
    return sessions


def booked_participants(db: Db, *, session: Session, service: Service) -> int:
    """Places taken: participants, not bookings, count (invariant 1)."""
    query = select(func.coalesce(func.sum(Booking.participants), 0)).where(
        holds_a_place(utc_now())
    )
    if service.type is ServiceType.COURSE:
        query = query.where(Booking.service_id == service.id)
    else:
        query = query.where(Booking.session_id == session.id)
    return int(db.scalar(query) or 0)


def occupancy(db: Db, sessions: Iterable[Session]) -> dict[uuid.UUID, Occupancy]:
    """Booked places and waitlist length of many sessions in two queries."""
    sessions = list(sessions)
    ids = [s.id for s in sessions]
    counts: dict[uuid.UUID, Occupancy] = {i: Occupancy(0, 0) for i in ids}
    if not ids:
        return counts
    now = utc_now()
    holding = holds_a_place(now)
    # An offer past its hold neither holds a place nor waits any more; it is
    # canceled by the next write to the session.
    lapsed = Booking.offered_until.is_not(None) & (Booking.offered_until <= now)
    rows = db.execute(
        select(Booking.session_id, holding, func.sum(Booking.participants))
        .where(Booking.session_id.in_(ids))
        .where(Booking.status.in_([*SEAT_HOLDING_STATUSES, BookingStatus.WAITING_LIST]))
        .where(~lapsed)
        .group_by(Booking.session_id, holding)
    )
    booked: dict[uuid.UUID | None, int] = {}
    waiting: dict[uuid.UUID | None, int] = {}
    for session_id, takes_a_place, total in rows:
        target = booked if takes_a_place else waiting
        target[session_id] = target.get(session_id, 0) + int(total)
    course_ids = _course_service_ids(db, sessions)
    course_booked = _course_booked(db, course_ids)
    for s in sessions:
        seats = course_booked.get(s.service_id) if s.service_id in course_ids else None
        counts[s.id] = Occupancy(
            booked=booked.get(s.id, 0) if seats is None else seats,
            waitlist=waiting.get(s.id, 0),
        )
    return counts


def _course_service_ids(db: Db, sessions: list[Session]) -> set[uuid.UUID]:
    service_ids = {s.service_id for s in sessions}
    return set(
        db.scalars(
            select(Service.id)
            .where(Service.id.in_(service_ids))
            .where(Service.type == ServiceType.COURSE)
        )
    )


def _course_booked(db: Db, service_ids: set[uuid.UUID]) -> dict[uuid.UUID, int]:
    if not service_ids:
        return {}
    rows = db.execute(
        select(Booking.service_id, func.sum(Booking.participants))
        .where(Booking.service_id.in_(service_ids))
        .where(holds_a_place(utc_now()))
        .group_by(Booking.service_id)
    )
    return {service_id: int(total) for service_id, total in rows}


def list_sessions(
    db: Db,
    *,
    service_id: uuid.UUID | None,
    starts_from: datetime | None,
    starts_to: datetime | None,
    limit: int,
    after: tuple[datetime, uuid.UUID] | None,
) -> list[Session]:
    query = select(Session).order_by(Session.start_at, Session.id).limit(limit)
    if service_id is not None:
        query = query.where(Session.service_id == service_id)
    if starts_from is not None:
        query = query.where(Session.start_at >= starts_from)
    if starts_to is not None:
        query = query.where(Session.start_at < starts_to)
    if after is not None:
        start_at, last_id = after
        query = query.where(
            (Session.start_at > start_at)
            | ((Session.start_at == start_at) & (Session.id > last_id))
        )
    return list(db.scalars(query))
