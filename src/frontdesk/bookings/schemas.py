from __future__ import annotations

import uuid

from pydantic import BaseModel, Field

from frontdesk.api.limits import MAX_PARTICIPANTS
from frontdesk.api.schemas import InputModel
from frontdesk.api.timefields import InstantOut, LocalInstantOut
from frontdesk.attendance.models import AttendanceStatus
from frontdesk.catalog.models import PaymentOption
from frontdesk.payments.models import PaymentMethod


class NewContact(InputModel):
    first_name: str = ""
    last_name: str = ""
    email: str | None = None
    phone: str | None = None


class PaymentIn(InputModel):
    method: PaymentMethod
    amount: str = Field(examples=["15.00"])
    reference: str | None = None


class FlowControl(InputModel):
    skip_availability_validation: bool = False


class BookingCreate(InputModel):
    session_id: uuid.UUID
    contact_id: uuid.UUID | None = None
    contact: NewContact | None = None
    participants: int = Field(default=1, ge=1, le=MAX_PARTICIPANTS)
    payment_option: PaymentOption
    membership_id: uuid.UUID | None = None
    payment: PaymentIn | None = None
    flow_control: FlowControl | None = None
    notify: bool = True


class RevisionIn(InputModel):
    revision: int = Field(ge=1)


class RescheduleIn(RevisionIn):
    session_id: uuid.UUID


class RedeemIn(InputModel):
    membership_id: uuid.UUID
    revision: int | None = Field(default=None, ge=1)


class AttendanceIn(InputModel):
    status: AttendanceStatus
    attendees: int | None = Field(default=None, ge=0, le=MAX_PARTICIPANTS)
    revision: int | None = Field(default=None, ge=1)


class AttendanceOut(BaseModel):
    status: AttendanceStatus
    attendees: int
    recorded_at: LocalInstantOut


class BookingOut(BaseModel):
    id: uuid.UUID
    status: str
    payment_status: str
    payment_option: str
    participants: int
    revision: int
    service_id: uuid.UUID
    session_id: uuid.UUID | None
    contact_id: uuid.UUID
    order_id: uuid.UUID | None
    membership_id: uuid.UUID | None
    attendance: AttendanceOut | None
    # Place in line (1 is next) while WAITING_LIST, and the end of an offer.
    waitlist_position: int | None = None
    offered_until: LocalInstantOut | None = None
    start: LocalInstantOut | None
    end: LocalInstantOut | None
    timezone: str | None
    created_at: LocalInstantOut


class EligibleMembershipOut(BaseModel):
    membership_id: uuid.UUID
    plan_id: uuid.UUID
    plan_name: str
    status: str
    eligible: bool
    reason: str | None
    credits_left: int | None
    valid_until: InstantOut
