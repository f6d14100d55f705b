"""Instants at the edge: an offset is required in, and always given out."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, PlainSerializer

from frontdesk.clock import in_zone

EARLIEST_YEAR, LATEST_YEAR = 1970, 2200


def _in_range(instant: datetime) -> datetime:
    # Far-off years would overflow once shifted between zones or extended by
    # a plan's validity; a booking system has no use for them.
    if not EARLIEST_YEAR <= instant.year <= LATEST_YEAR:
        raise ValueError(f"a time must lie between {EARLIEST_YEAR} and {LATEST_YEAR}")
    return instant


# A request time without an offset is refused with a 422 by this type.
Instant = Annotated[AwareDatetime, AfterValidator(_in_range)]


def local(instant: datetime, zone: str) -> datetime:
    return in_zone(instant, zone)


def _render_local(instant: datetime) -> str:
    if instant.tzinfo is None:
        raise ValueError("an instant without an offset cannot be shown")
    return instant.isoformat(timespec="seconds")


def _render_utc(instant: datetime) -> str:
    return _render_local(instant.astimezone(UTC))


# Every instant the API returns has one format: seconds and an explicit offset.
# A session's start and end are shown in the session's own zone (the caller
# converts them with `local`); every other instant is shown in UTC, whatever
# offset it was sent with.
LocalInstantOut = Annotated[datetime, PlainSerializer(_render_local, return_type=str)]
InstantOut = Annotated[datetime, PlainSerializer(_render_utc, return_type=str)]
