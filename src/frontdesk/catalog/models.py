from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.clock import utc_now
from frontdesk.db.base import Base, id_column
from frontdesk.db.types import EnumText, UtcDateTime
from frontdesk.money import Money


class ServiceType(StrEnum):
    CLASS = "CLASS"
    APPOINTMENT = "APPOINTMENT"
    COURSE = "COURSE"


class PaymentOption(StrEnum):
    ONLINE = "ONLINE"
    OFFLINE = "OFFLINE"
    MEMBERSHIP = "MEMBERSHIP"
    MEMBERSHIP_OFFLINE = "MEMBERSHIP_OFFLINE"


PLAN_PAYMENT_OPTIONS = frozenset(
    {PaymentOption.MEMBERSHIP, PaymentOption.MEMBERSHIP_OFFLINE}
)


class Service(Base):
    __tablename__ = "services"

    id: Mapped[uuid.UUID] = id_column()
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[ServiceType] = mapped_column(EnumText(ServiceType, 16))
    price_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    capacity: Mapped[int] = mapped_column(Integer)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    location_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("locations.id"))
    payment_options: Mapped[list[str]] = mapped_column(JSON)
    policy: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    external_ref: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    @property
    def price(self) -> Money:
        return Money(self.price_minor, self.currency)

    def allows(self, option: PaymentOption) -> bool:
        return option.value in self.payment_options
