"""The capacity lock: one session's places are counted by one writer at a time.

On PostgreSQL the session row is locked FOR UPDATE; on SQLite the whole
transaction already holds the write lock (BEGIN IMMEDIATE). Sessions are
always locked in id order, so two requests that touch the same sessions
cannot deadlock.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy.orm import Session as Db

from frontdesk.lookup import lock_or_404
from frontdesk.sessions.models import Session


def lock_sessions(db: Db, session_ids: Iterable[uuid.UUID]) -> list[Session]:
    """Lock the sessions in id order and return them in that order."""
    return [
        lock_or_404(db, Session, i, noun="session") for i in sorted(set(session_ids))
    ]


def lock_session(db: Db, session_id: uuid.UUID) -> Session:
    return lock_sessions(db, [session_id])[0]
