from __future__ import annotations

import uuid

from pydantic import BaseModel

from frontdesk.api.schemas import MoneyOut
from frontdesk.api.timefields import LocalInstantOut
from frontdesk.bookings.schemas import AttendanceOut


class RosterContact(BaseModel):
    id: uuid.UUID
    name: str
    email: str | None


class RosterPlan(BaseModel):
    membership_id: uuid.UUID
    plan_name: str
    credits_left: int | None


class RosterRowOut(BaseModel):
    position: int
    booking_id: uuid.UUID
    status: str
    participants: int
    payment_option: str
    payment_status: str
    payment_label: str
    revision: int
    contact: RosterContact
    order_id: uuid.UUID | None
    paid: MoneyOut | None
    due: MoneyOut | None
    plan: RosterPlan | None
    attendance: AttendanceOut | None


class RosterOut(BaseModel):
    session_id: uuid.UUID
    service_id: uuid.UUID
    start: LocalInstantOut
    end: LocalInstantOut
    timezone: str
    capacity: int
    items: list[RosterRowOut]
