from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.clock import utc_now
from frontdesk.db.base import Base, id_column
from frontdesk.db.types import EnumText, UtcDateTime


class SessionStatus(StrEnum):
    SCHEDULED = "SCHEDULED"
    CANCELED = "CANCELED"


class Series(Base):
    """A weekly (or any RFC 5545) rule that generated sessions of one service."""

    __tablename__ = "series"

    id: Mapped[uuid.UUID] = id_column()
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id"))
    rrule: Mapped[str] = mapped_column(Text)
    first_start: Mapped[datetime] = mapped_column(UtcDateTime)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    timezone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class Session(Base):
    __tablename__ = "sessions"
    __table_args__ = (Index("ix_sessions_service_start", "service_id", "start_at"),)

    id: Mapped[uuid.UUID] = id_column()
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id"))
    series_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("series.id"))
    location_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("locations.id"))
    staff_member_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_members.id")
    )
    start_at: Mapped[datetime] = mapped_column(UtcDateTime)
    end_at: Mapped[datetime] = mapped_column(UtcDateTime)
    timezone: Mapped[str] = mapped_column(String(64))
    capacity: Mapped[int] = mapped_column(Integer)
    status: Mapped[SessionStatus] = mapped_column(
        EnumText(SessionStatus, 16), default=SessionStatus.SCHEDULED
    )
    external_ref: Mapped[str | None] = mapped_column(String(400), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
