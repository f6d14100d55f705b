from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.catalog.models import PaymentOption
from frontdesk.clock import utc_now
from frontdesk.db.base import Base, id_column
from frontdesk.db.types import EnumText, UtcDateTime


class CheckoutStatus(StrEnum):
    OPEN = "OPEN"
    COMPLETED = "COMPLETED"


class ItemKind(StrEnum):
    BOOKING = "BOOKING"
    MEMBERSHIP_PURCHASE = "MEMBERSHIP_PURCHASE"


class Checkout(Base):
    """A cart of bookings and plan purchases, completed into one order."""

    __tablename__ = "checkouts"

    id: Mapped[uuid.UUID] = id_column()
    contact_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contacts.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[CheckoutStatus] = mapped_column(EnumText(CheckoutStatus, 16))
    order_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("orders.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class CheckoutItem(Base):
    __tablename__ = "checkout_items"

    id: Mapped[uuid.UUID] = id_column()
    checkout_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("checkouts.id"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[ItemKind] = mapped_column(EnumText(ItemKind, 24))
    session_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sessions.id"))
    participants: Mapped[int] = mapped_column(Integer, default=1)
    payment_option: Mapped[PaymentOption | None] = mapped_column(
        EnumText(PaymentOption, 24)
    )
    # The membership that pays for a BOOKING item, or the plan a purchase sells.
    membership_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("memberships.id")
    )
    plan_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("plans.id"))
    # Filled in when the checkout completes.
    booking_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("bookings.id"))
    purchased_membership_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("memberships.id")
    )
