"""What a booking asks a membership to pay for."""

from __future__ import annotations

from sqlalchemy.orm import Session as Db

from frontdesk.bookings.models import Booking
from frontdesk.lookup import get_or_404
from frontdesk.plans.eligibility import Charge
from frontdesk.sessions.models import Session


def charge_of(db: Db, booking: Booking) -> Charge:
    starts_at = None
    if booking.session_id is not None:
        starts_at = get_or_404(db, Session, booking.session_id, noun="session").start_at
    return Charge(
        contact_id=booking.contact_id,
        service_id=booking.service_id,
        starts_at=starts_at,
        participants=booking.participants,
    )
