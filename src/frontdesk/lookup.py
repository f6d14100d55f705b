"""Loading a row by id, with the domain's 404 when it is not there."""

from __future__ import annotations

import time
import uuid
from typing import TypeVar

from sqlalchemy.orm import Session

from frontdesk.db.engine import RACE_WINDOW, SKIP_ROW_LOCKS
from frontdesk.errors import NotFound

Row = TypeVar("Row")


def get_or_404(db: Session, model: type[Row], id: uuid.UUID, *, noun: str) -> Row:
    row = db.get(model, id)
    if row is None:
        raise NotFound(f"no {noun} with id {id}", resource=noun, id=str(id))
    return row


def lock_or_404(db: Session, model: type[Row], id: uuid.UUID, *, noun: str) -> Row:
    """Load the row FOR UPDATE (PostgreSQL); SQLite already holds the write lock.

    The test-only switch SKIP_ROW_LOCKS turns the lock off, so the
    concurrency tests can show that without it they see the race.
    """
    skip = bool(db.get_bind().get_execution_options().get(SKIP_ROW_LOCKS, False))
    row = db.get(model, id, with_for_update=not skip, populate_existing=True)
    if row is None:
        raise NotFound(f"no {noun} with id {id}", resource=noun, id=str(id))
    return row


def race_window(db: Session) -> None:
    """Test-only: widen the gap between a check and the write it guards."""
    pause = db.get_bind().get_execution_options().get(RACE_WINDOW, 0.0)
    if pause:
        time.sleep(float(pause))
