from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.clock import utc_now
from frontdesk.db.base import Base
from frontdesk.db.types import EnumText, UtcDateTime


class AttendanceStatus(StrEnum):
    ATTENDED = "ATTENDED"
    NOT_ATTENDED = "NOT_ATTENDED"


class Attendance(Base):
    __tablename__ = "attendances"

    booking_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("bookings.id"), primary_key=True
    )
    status: Mapped[AttendanceStatus] = mapped_column(EnumText(AttendanceStatus, 16))
    attendees: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(
        UtcDateTime, default=utc_now, onupdate=utc_now
    )
