"""The outbox: every state change writes its event in the same transaction."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.events.models import Event
from frontdesk.log import get_logger

log = get_logger(__name__)


def record_event(
    db: Session, *, type: str, subject_id: uuid.UUID, data: dict[str, Any]
) -> Event:
    event = Event(type=type, subject_id=subject_id, data=data)
    db.add(event)
    log.info(type, subject_id=str(subject_id))
    return event


def list_events(
    db: Session,
    *,
    limit: int,
    before_seq: int | None = None,
    type: str | None = None,
    subject_id: uuid.UUID | None = None,
) -> list[Event]:
    query = select(Event).order_by(Event.seq.desc()).limit(limit)
    if before_seq is not None:
        query = query.where(Event.seq < before_seq)
    if type is not None:
        query = query.where(Event.type == type)
    if subject_id is not None:
        query = query.where(Event.subject_id == subject_id)
    return list(db.scalars(query))
