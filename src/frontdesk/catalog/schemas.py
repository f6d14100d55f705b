from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, Field

from frontdesk.api.schemas import MoneyIn, MoneyOut
from frontdesk.catalog.models import PaymentOption, ServiceType


class ServiceIn(BaseModel):
    name: str = Field(min_length=1)
    type: ServiceType
    price: MoneyIn
    capacity: int = Field(ge=1)
    duration_minutes: int = Field(ge=1)
    location_id: uuid.UUID | None = None
    payment_options: list[PaymentOption] = Field(min_length=1)
    policy: dict[str, Any] = Field(default_factory=dict)


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
