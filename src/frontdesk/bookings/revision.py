"""Optimistic concurrency: a change names the revision it was read at."""

from __future__ import annotations

from frontdesk.bookings.models import Booking
from frontdesk.errors import StaleRevision


def check_revision(booking: Booking, revision: int | None) -> None:
    """Refuse a change made from a stale read; the caller holds the row lock."""
    if revision is not None and revision != booking.revision:
        raise StaleRevision(
            f"the booking is at revision {booking.revision}, not {revision}",
            current_revision=booking.revision,
        )
