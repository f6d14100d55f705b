"""Who came. Attendance never touches money: checking in leaves debts alone."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.attendance.models import Attendance, AttendanceStatus
from frontdesk.bookings.errors import BookingEnded, InvalidBooking
from frontdesk.bookings.models import ENDED_STATUSES, Booking, BookingStatus
from frontdesk.bookings.revision import check_revision
from frontdesk.events.service import record_event
from frontdesk.lookup import lock_or_404


def set_attendance(
    db: Session,
    *,
    booking_id: uuid.UUID,
    status: AttendanceStatus,
    attendees: int | None = None,
    revision: int | None = None,
) -> Attendance:
    booking = lock_or_404(db, Booking, booking_id, noun="booking")
    check_revision(booking, revision)
    if booking.status in ENDED_STATUSES or booking.status == BookingStatus.WAITING_LIST:
        raise BookingEnded(f"a {booking.status} booking has no attendance")
    count = _attendees(booking, status, attendees)
    attendance = db.get(Attendance, booking.id)
    if attendance is None:
        attendance = Attendance(booking_id=booking.id, status=status, attendees=count)
        db.add(attendance)
    elif attendance.status == status and attendance.attendees == count:
        return attendance  # nothing changed: no new revision, no new event
    else:
        attendance.status, attendance.attendees = status, count
    booking.revision += 1
    db.flush()
    record_event(
        db,
        type="booking.attendance_marked",
        subject_id=booking.id,
        data={
            "booking_id": str(booking.id),
            "status": status.value,
            "attendees": count,
        },
    )
    return attendance


def _attendees(
    booking: Booking, status: AttendanceStatus, attendees: int | None
) -> int:
    if status is AttendanceStatus.NOT_ATTENDED:
        if attendees:
            raise InvalidBooking("NOT_ATTENDED takes 0 attendees")
        return 0
    count = booking.participants if attendees is None else attendees
    if not 1 <= count <= booking.participants:
        raise InvalidBooking(
            f"attendees must be between 1 and the {booking.participants} booked"
        )
    return count


def attendance_of(
    db: Session, booking_ids: list[uuid.UUID]
) -> dict[uuid.UUID, Attendance]:
    if not booking_ids:
        return {}
    rows = db.scalars(select(Attendance).where(Attendance.booking_id.in_(booking_ids)))
    return {a.booking_id: a for a in rows}
