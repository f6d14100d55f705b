"""Loading a row by id, with the domain's 404 when it is not there."""

from __future__ import annotations

import uuid
from typing import TypeVar

from sqlalchemy.orm import Session

from frontdesk.errors import NotFound

Row = TypeVar("Row")


def get_or_404(db: Session, model: type[Row], id: uuid.UUID, *, noun: str) -> Row:
    row = db.get(model, id)
    if row is None:
        raise NotFound(f"no {noun} with id {id}", resource=noun, id=str(id))
    return row


def lock_or_404(db: Session, model: type[Row], id: uuid.UUID, *, noun: str) -> Row:
    """Load the row FOR UPDATE (PostgreSQL); SQLite already holds the write lock."""
    row = db.get(model, id, with_for_update=True, populate_existing=True)
    if row is None:
        raise NotFound(f"no {noun} with id {id}", resource=noun, id=str(id))
    return row
