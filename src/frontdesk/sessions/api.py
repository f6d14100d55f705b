from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session as DbSession

from frontdesk.api.deps import Db, require
from frontdesk.api.pagination import Cursor, Limit, after_time_and_id, next_cursor
from frontdesk.api.schemas import Page
from frontdesk.api.timefields import Instant
from frontdesk.auth.scopes import Scope
from frontdesk.clock import in_zone
from frontdesk.lookup import get_or_404
from frontdesk.sessions import service
from frontdesk.sessions.changes import change_session
from frontdesk.sessions.models import Session
from frontdesk.sessions.schemas import SessionOut, SessionPatch

router = APIRouter(prefix="/v1/sessions", tags=["sessions"])

Reader = Depends(require(Scope.BOOKINGS_READ))


def present_sessions(db: DbSession, sessions: Sequence[Session]) -> list[SessionOut]:
    counts = service.occupancy(db, sessions)
    return [
        SessionOut(
            id=s.id,
            service_id=s.service_id,
            series_id=s.series_id,
            start=in_zone(s.start_at, s.timezone),
            end=in_zone(s.end_at, s.timezone),
            timezone=s.timezone,
            capacity=s.capacity,
            booked=counts[s.id].booked,
            remaining=max(s.capacity - counts[s.id].booked, 0),
            waitlist=counts[s.id].waitlist,
            status=s.status,
            staff_member_id=s.staff_member_id,
            location_id=s.location_id,
        )
        for s in sessions
    ]


@router.get("", dependencies=[Reader])
def list_sessions(
    db: Db,
    service_id: uuid.UUID | None = None,
    from_: Annotated[Instant | None, Query(alias="from")] = None,
    to: Instant | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[SessionOut]:
    rows = service.list_sessions(
        db,
        service_id=service_id,
        starts_from=from_,
        starts_to=to,
        limit=limit,
        after=after_time_and_id(cursor),
    )
    return Page(
        items=present_sessions(db, rows),
        next_cursor=next_cursor(
            rows, limit, lambda s: [s.start_at.isoformat(), str(s.id)]
        ),
    )


@router.get("/{session_id}", dependencies=[Reader])
def get_session(session_id: uuid.UUID, db: Db) -> SessionOut:
    return present_sessions(db, [get_or_404(db, Session, session_id, noun="session")])[
        0
    ]


@router.patch("/{session_id}", dependencies=[Depends(require(Scope.CATALOG_MANAGE))])
def patch_session(session_id: uuid.UUID, body: SessionPatch, db: Db) -> SessionOut:
    session = change_session(
        db,
        session_id=session_id,
        capacity=body.capacity,
        staff_member_id=body.staff_member_id,
        start=body.start,
        end=body.end,
        canceled=body.canceled,
    )
    return present_sessions(db, [session])[0]
