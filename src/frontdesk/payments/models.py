from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.clock import utc_now
from frontdesk.db.base import Base, id_column
from frontdesk.db.types import EnumText, UtcDateTime


class PaymentMethod(StrEnum):
    CASH = "cash"
    CHECK = "check"
    BANK_TRANSFER = "bank_transfer"
    CARD_OFFLINE = "card_offline"
    GIFT_CARD = "gift_card"
    ONLINE = "online"


OFFLINE_METHODS = frozenset(set(PaymentMethod) - {PaymentMethod.ONLINE})


class PaymentStatus(StrEnum):
    APPROVED = "APPROVED"
    PENDING = "PENDING"
    FAILED = "FAILED"


class Payment(Base):
    __tablename__ = "payments"

    id: Mapped[uuid.UUID] = id_column()
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"), index=True)
    method: Mapped[PaymentMethod] = mapped_column(EnumText(PaymentMethod, 24))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[PaymentStatus] = mapped_column(EnumText(PaymentStatus, 16))
    reference: Mapped[str | None] = mapped_column(String(200))
    external_ref: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class Refund(Base):
    __tablename__ = "refunds"

    id: Mapped[uuid.UUID] = id_column()
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"), index=True)
    payment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payments.id"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
