from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.clock import utc_now
from frontdesk.db.base import Base, id_column
from frontdesk.db.types import EnumText, UtcDateTime


class KeyState(StrEnum):
    IN_PROGRESS = "IN_PROGRESS"
    # The work committed with the key in one transaction; its response is
    # not stored yet (or was lost with the process that held it).
    COMMITTED = "COMMITTED"
    COMPLETED = "COMPLETED"


class IdempotencyKey(Base):
    """The first response to a write sent with an Idempotency-Key."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("owner", "key"),)

    id: Mapped[uuid.UUID] = id_column()
    # Keys are per caller: a digest of the API key that sent the request.
    owner: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(255))
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(500))
    fingerprint: Mapped[str] = mapped_column(String(64))
    state: Mapped[KeyState] = mapped_column(EnumText(KeyState, 16))
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_content_type: Mapped[str | None] = mapped_column(String(100))
    response_body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime, default=utc_now, index=True
    )
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
