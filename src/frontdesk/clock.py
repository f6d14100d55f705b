"""Time is exact: aware datetimes only, stored in UTC, shown with an offset."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def utc_now() -> datetime:
    return datetime.now(UTC)


def is_known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def in_zone(instant: datetime, zone: str) -> datetime:
    """The instant as a wall-clock time of `zone`, offset included."""
    return instant.astimezone(ZoneInfo(zone))


def as_utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("a naive datetime has no place in Frontdesk")
    return instant.astimezone(UTC)
