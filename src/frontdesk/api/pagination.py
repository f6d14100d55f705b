"""Opaque cursors: the sort key of the last item, base64-encoded."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Annotated, TypeVar

from fastapi import Query

from frontdesk.errors import ValidationFailed

Row = TypeVar("Row")

Limit = Annotated[int, Query(ge=1, le=500)]
Cursor = Annotated[str | None, Query(description="next_cursor of the previous page")]


def encode(*parts: str) -> str:
    return base64.urlsafe_b64encode("|".join(parts).encode()).decode()


def _decode(cursor: str) -> list[str]:
    try:
        return base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed("the cursor is not one this API gave out") from exc


def after_id(cursor: str | None) -> uuid.UUID | None:
    if cursor is None:
        return None
    try:
        return uuid.UUID(_decode(cursor)[0])
    except ValueError as exc:
        raise ValidationFailed("the cursor is not one this API gave out") from exc


def before_number(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    try:
        return int(_decode(cursor)[0])
    except ValueError as exc:
        raise ValidationFailed("the cursor is not one this API gave out") from exc


def after_time_and_id(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    if cursor is None:
        return None
    parts = _decode(cursor)
    try:
        return datetime.fromisoformat(parts[0]), uuid.UUID(parts[1])
    except (ValueError, IndexError) as exc:
        raise ValidationFailed("the cursor is not one this API gave out") from exc


def next_cursor(
    rows: Sequence[Row], limit: int, key: Callable[[Row], list[str]]
) -> str | None:
    if len(rows) < limit:
        return None
    return encode(*key(rows[-1]))
