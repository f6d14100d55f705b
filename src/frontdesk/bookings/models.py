from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    and_,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.catalog.models import PaymentOption
from frontdesk.clock import utc_now
from frontdesk.db.base import Base, id_column
from frontdesk.db.types import EnumText, UtcDateTime


class BookingStatus(StrEnum):
    CREATED = "CREATED"
    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"
    WAITING_LIST = "WAITING_LIST"
    CANCELED = "CANCELED"
    DECLINED = "DECLINED"


# Bookings that hold places on their session (invariant 1). A WAITING_LIST
# booking holds one too while it has a place offered (see `holds_a_place`).
SEAT_HOLDING_STATUSES = frozenset(
    {BookingStatus.CREATED, BookingStatus.PENDING, BookingStatus.CONFIRMED}
)
ENDED_STATUSES = frozenset({BookingStatus.CANCELED, BookingStatus.DECLINED})


class BookingPaymentStatus(StrEnum):
    NOT_PAID = "NOT_PAID"
    PARTIALLY_PAID = "PARTIALLY_PAID"
    PAID = "PAID"
    PAID_BY_PLAN = "PAID_BY_PLAN"
    REFUNDED = "REFUNDED"
    EXEMPT = "EXEMPT"


class Booking(Base):
    __tablename__ = "bookings"
    __table_args__ = (
        # One seat number per booking on a session: the roster's order is
        # enforced by the database, not only by the session lock.
        UniqueConstraint("session_id", "roster_position"),
        Index("ix_bookings_session_status", "session_id", "status"),
        Index("ix_bookings_service_status", "service_id", "status"),
    )

    id: Mapped[uuid.UUID] = id_column()
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id"))
    # None for a COURSE booking, which covers every session of its service.
    session_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("sessions.id"))
    contact_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("contacts.id"), index=True)
    order_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("orders.id"), index=True
    )
    participants: Mapped[int] = mapped_column(Integer)
    status: Mapped[BookingStatus] = mapped_column(EnumText(BookingStatus, 16))
    payment_option: Mapped[PaymentOption] = mapped_column(EnumText(PaymentOption, 24))
    # Written only by orders.service.settle(): derived from the order line.
    payment_status: Mapped[BookingPaymentStatus] = mapped_column(
        EnumText(BookingPaymentStatus, 16), default=BookingPaymentStatus.NOT_PAID
    )
    # Set when a caller with bookings.override_availability booked past capacity.
    overrode_capacity: Mapped[bool] = mapped_column(Boolean, default=False)
    # The membership a MEMBERSHIP booking in line asked to pay with, charged
    # when the place is given.
    requested_membership_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("memberships.id")
    )
    # A WAITING_LIST booking that has been offered a freed place holds it
    # until this instant; None while it only waits in line.
    offered_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    # Position in the roster: the order bookings were made in, never re-sorted.
    roster_position: Mapped[int] = mapped_column(Integer, default=0)
    external_ref: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(
        UtcDateTime, default=utc_now, onupdate=utc_now
    )


def holds_a_place(now: datetime) -> ColumnElement[bool]:
    """The SQL condition for a booking that takes places on its session."""
    return or_(
        Booking.status.in_(SEAT_HOLDING_STATUSES),
        and_(
            Booking.status == BookingStatus.WAITING_LIST,
            Booking.offered_until > now,
        ),
    )
