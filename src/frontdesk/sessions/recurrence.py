"""Expanding a series rule into session start times, in the session's zone.

dateutil keeps the wall-clock time of DTSTART on every occurrence, so a class
at 18:30 stays at 18:30 local time across a DST change.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from frontdesk.sessions.errors import InvalidSchedule

MAX_OCCURRENCES = 1000


def expand(rule: str, *, first_start: datetime, timezone: str) -> list[datetime]:
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :]
    upper = text.upper()
    # One rule, nothing else: a DTSTART or a second line would override the
    # session's own start.
    if any(
        mark in upper for mark in ("\n", "\r", "DTSTART", "RRULE", "EXDATE", "RDATE")
    ):
        raise InvalidSchedule("send one RRULE value, without DTSTART or other lines")
    if "COUNT=" not in upper and "UNTIL=" not in upper:
        raise InvalidSchedule("a series needs COUNT or UNTIL in its rule")
    local_start = first_start.astimezone(ZoneInfo(timezone))
    try:
        rule_set = rrulestr(text, dtstart=local_start)
    except (ValueError, TypeError) as exc:
        raise InvalidSchedule(f"the rule {rule!r} cannot be read: {exc}") from exc
    starts: list[datetime] = []
    for occurrence in rule_set:
        starts.append(occurrence)
        if len(starts) > MAX_OCCURRENCES:
            raise InvalidSchedule(f"a series may make at most {MAX_OCCURRENCES}")
    if not starts:
        raise InvalidSchedule("the rule makes no session at all")
    return starts
