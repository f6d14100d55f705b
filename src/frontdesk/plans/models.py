from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.clock import utc_now
from frontdesk.db.base import Base, id_column
from frontdesk.db.types import EnumText, UtcDateTime
from frontdesk.money import Money


class PlanKind(StrEnum):
    UNLIMITED = "UNLIMITED"
    PACK = "PACK"


class ValidityUnit(StrEnum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"
    YEAR = "YEAR"


class MembershipStatus(StrEnum):
    PENDING = "PENDING"
    ACTIVE = "ACTIVE"
    ENDED = "ENDED"
    CANCELED = "CANCELED"
    PAUSED = "PAUSED"


class RedemptionStatus(StrEnum):
    ACTIVE = "ACTIVE"
    REVERSED = "REVERSED"


class Plan(Base):
    __tablename__ = "plans"

    id: Mapped[uuid.UUID] = id_column()
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[PlanKind] = mapped_column(EnumText(PlanKind, 16))
    credits: Mapped[int | None] = mapped_column(Integer)
    price_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    validity_unit: Mapped[ValidityUnit | None] = mapped_column(
        EnumText(ValidityUnit, 8)
    )
    validity_count: Mapped[int | None] = mapped_column(Integer)
    # A fixed last instant ("until 2026-08-31") instead of a relative validity.
    valid_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # None: the plan pays for every service.
    service_ids: Mapped[list[str] | None] = mapped_column(JSON)
    external_ref: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    @property
    def price(self) -> Money:
        return Money(self.price_minor, self.currency)


class Membership(Base):
    __tablename__ = "memberships"

    id: Mapped[uuid.UUID] = id_column()
    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("plans.id"))
    contact_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contacts.id"), index=True)
    order_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("orders.id"))
    status: Mapped[MembershipStatus] = mapped_column(EnumText(MembershipStatus, 16))
    valid_from: Mapped[datetime] = mapped_column(UtcDateTime)
    valid_until: Mapped[datetime] = mapped_column(UtcDateTime)
    # None for UNLIMITED. credits_left is kept equal to credits_total minus the
    # active redemptions (invariant 4), under the membership's row lock.
    credits_total: Mapped[int | None] = mapped_column(Integer)
    credits_left: Mapped[int | None] = mapped_column(Integer)
    external_ref: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class Redemption(Base):
    """One booking charged to one membership: a debit of the credit ledger."""

    __tablename__ = "redemptions"
    __table_args__ = (Index("ix_redemptions_booking_status", "booking_id", "status"),)

    id: Mapped[uuid.UUID] = id_column()
    membership_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("memberships.id"), index=True
    )
    booking_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("bookings.id"))
    credits: Mapped[int] = mapped_column(Integer)
    status: Mapped[RedemptionStatus] = mapped_column(EnumText(RedemptionStatus, 16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    reversed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
