from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from frontdesk.api.deps import Db, require
from frontdesk.api.pagination import Cursor, Limit, before_number, encode
from frontdesk.api.schemas import Page
from frontdesk.api.timefields import InstantOut
from frontdesk.auth.scopes import Scope
from frontdesk.events.service import list_events

router = APIRouter(prefix="/v1/events", tags=["events"])


class EventOut(BaseModel):
    id: uuid.UUID
    type: str
    subject_id: uuid.UUID
    data: dict[str, Any]
    occurred_at: InstantOut


@router.get("", dependencies=[Depends(require(Scope.BOOKINGS_READ))])
def get_events(
    db: Db,
    type: str | None = None,
    subject_id: uuid.UUID | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[EventOut]:
    rows = list_events(
        db,
        limit=limit,
        before_seq=before_number(cursor),
        type=type,
        subject_id=subject_id,
    )
    return Page(
        items=[
            EventOut(
                id=e.id,
                type=e.type,
                subject_id=e.subject_id,
                data=e.data,
                occurred_at=e.occurred_at,
            )
            for e in rows
        ],
        next_cursor=encode(str(rows[-1].seq)) if len(rows) == limit else None,
    )
