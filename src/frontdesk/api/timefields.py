"""Instants at the edge: an offset is required in, and always given out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, PlainSerializer

from frontdesk.clock import in_zone

# A request time without an offset is refused with a 422 by this type.
Instant = AwareDatetime


def local(instant: datetime, zone: str) -> datetime:
    return in_zone(instant, zone)


def _render(instant: datetime) -> str:
    if instant.tzinfo is None:
        raise ValueError("an instant without an offset cannot be shown")
    return instant.isoformat(timespec="seconds")


# Every instant the API returns: one format, seconds, explicit offset.
InstantOut = Annotated[datetime, PlainSerializer(_render, return_type=str)]
