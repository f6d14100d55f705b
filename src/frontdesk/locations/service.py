from __future__ import annotations

from sqlalchemy.orm import Session

from frontdesk.clock import is_known_zone
from frontdesk.errors import ValidationFailed
from frontdesk.locations.models import Location


def create_location(db: Session, *, name: str, address: str, timezone: str) -> Location:
    if not is_known_zone(timezone):
        raise ValidationFailed(f"{timezone!r} is not an IANA time zone")
    location = Location(name=name, address=address, timezone=timezone)
    db.add(location)
    db.flush()
    return location
