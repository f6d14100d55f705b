from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from frontdesk.api.limits import MAX_CAPACITY, MAX_PARTICIPANTS
from frontdesk.api.schemas import InputModel, MoneyIn, MoneyOut
from frontdesk.catalog.models import PaymentOption, ServiceType


class WaitlistPolicyIn(InputModel):
    enabled: StrictBool = False
    capacity: int = Field(default=0, ge=0, le=MAX_CAPACITY)
    # 0: a freed place confirms the first in line; more: it is offered first.
    offer_hold_minutes: int = Field(default=0, ge=0, le=7 * 24 * 60)


class PolicyIn(BaseModel):
    """The rules of a service. Other keys (say, from an import) are kept."""

    model_config = ConfigDict(extra="allow")

    max_participants_per_booking: int | None = Field(
        default=None, ge=1, le=MAX_PARTICIPANTS
    )
    requires_approval: StrictBool = False
    waitlist: WaitlistPolicyIn | None = None


class ServiceIn(InputModel):
    name: str = Field(min_length=1)
    type: ServiceType
    price: MoneyIn
    capacity: int = Field(ge=1, le=MAX_CAPACITY)
    duration_minutes: int = Field(ge=1, le=7 * 24 * 60)
    location_id: uuid.UUID | None = None
    payment_options: list[PaymentOption] = Field(min_length=1)
    policy: PolicyIn = Field(default_factory=PolicyIn)


class ServiceOut(BaseModel):
    id: uuid.UUID
    name: str
    type: ServiceType
    price: MoneyOut
    capacity: int
    duration_minutes: int
    location_id: uuid.UUID | None
    payment_options: list[str]
    policy: dict[str, Any]
