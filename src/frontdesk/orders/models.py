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


class OrderStatus(StrEnum):
    OPEN = "OPEN"  # something is still due
    COMPLETE = "COMPLETE"  # nothing is due
    CANCELED = "CANCELED"  # every line voided before any money came in


class OrderPaymentStatus(StrEnum):
    NOT_PAID = "NOT_PAID"
    PENDING = "PENDING"
    PARTIALLY_PAID = "PARTIALLY_PAID"
    PAID = "PAID"
    PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED"
    FULLY_REFUNDED = "FULLY_REFUNDED"


class LineKind(StrEnum):
    BOOKING = "BOOKING"
    MEMBERSHIP_PURCHASE = "MEMBERSHIP_PURCHASE"
    FEE = "FEE"
    ROUNDING = "ROUNDING"


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[uuid.UUID] = id_column()
    contact_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contacts.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    # The three figures below are written only by orders.service.settle(),
    # from the lines, payments and refunds (invariant 3); `check` recomputes them.
    total_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    refunded_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[OrderStatus] = mapped_column(
        EnumText(OrderStatus, 16), default=OrderStatus.OPEN
    )
    payment_status: Mapped[OrderPaymentStatus] = mapped_column(
        EnumText(OrderPaymentStatus, 24),
        default=OrderPaymentStatus.NOT_PAID,
        index=True,
    )
    external_ref: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(
        UtcDateTime, default=utc_now, onupdate=utc_now
    )

    def money(self, minor: int) -> Money:
        return Money(minor, self.currency)


class OrderLine(Base):
    __tablename__ = "order_lines"

    id: Mapped[uuid.UUID] = id_column()
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[LineKind] = mapped_column(EnumText(LineKind, 24))
    description: Mapped[str] = mapped_column(String(300))
    booking_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("bookings.id"), index=True
    )
    membership_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("memberships.id")
    )
    paid_by_membership_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("memberships.id")
    )
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_price_minor: Mapped[int] = mapped_column(BigInteger)
    # What the line charges: quantity x unit price, or 0 when a plan pays it.
    price_minor: Mapped[int] = mapped_column(BigInteger)
    voided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class OrderActivity(Base):
    """The order's history, as staff read it: created, paid, redeemed, ..."""

    __tablename__ = "order_activities"

    id: Mapped[uuid.UUID] = id_column()
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
