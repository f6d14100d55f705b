from __future__ import annotations

import uuid

from pydantic import BaseModel, Field

from frontdesk.api.limits import MAX_CAPACITY
from frontdesk.api.schemas import InputModel
from frontdesk.api.timefields import Instant, LocalInstantOut


class SessionsIn(InputModel):
    start: Instant
    end: Instant
    rrule: str | None = Field(
        default=None, examples=["FREQ=WEEKLY;BYDAY=TU,SA;UNTIL=20260830T000000Z"]
    )
    timezone: str | None = None
    capacity: int | None = Field(default=None, ge=1, le=MAX_CAPACITY)
    staff_member_id: uuid.UUID | None = None


class SessionPatch(InputModel):
    capacity: int | None = Field(default=None, ge=1, le=MAX_CAPACITY)
    staff_member_id: uuid.UUID | None = None
    start: Instant | None = None
    end: Instant | None = None
    canceled: bool | None = None


class SessionOut(BaseModel):
    id: uuid.UUID
    service_id: uuid.UUID
    series_id: uuid.UUID | None
    start: LocalInstantOut
    end: LocalInstantOut
    timezone: str
    capacity: int
    booked: int
    remaining: int
    waitlist: int
    status: str
    staff_member_id: uuid.UUID | None
    location_id: uuid.UUID | None
