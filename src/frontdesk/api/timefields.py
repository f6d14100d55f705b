"""Instants at the edge: an offset is required in, and always given out."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime

from frontdesk.clock import in_zone

# A request time without an offset is refused with a 422 by this type.
Instant = AwareDatetime


def local(instant: datetime, zone: str) -> datetime:
    return in_zone(instant, zone)
