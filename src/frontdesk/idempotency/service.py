"""Idempotency keys: claim one, mark its work committed, keep its first response.

A key moves IN_PROGRESS -> COMMITTED -> COMPLETED:

- IN_PROGRESS: claimed by a request whose work has not committed. A claim
  older than the lease belongs to an attempt that died before committing (or
  outlived the lease); a retry may take it over and run.
- COMMITTED: set in the transaction of the work itself (api/deps.py), so
  committed work and a committed key are one fact. The response is being
  stored; past the lease, the process died before storing it and a retry is
  told so instead of doing the work twice.
- COMPLETED: the first response is stored; every retry replays it.

A refusal (409 session_full) rolls the work back and goes from IN_PROGRESS
straight to COMPLETED. Validation failures and server errors release the
claim, so a corrected or later retry runs again.

Functions here run inside the caller's transaction and never commit.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Delete, Update, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from frontdesk.auth.models import ApiKey
from frontdesk.clock import utc_now
from frontdesk.idempotency.errors import (
    IdempotencyClaimExpired,
    IdempotencyInProgress,
    IdempotencyKeyReused,
    IdempotencyResponseLost,
    InvalidIdempotencyKey,
)
from frontdesk.idempotency.models import IdempotencyKey, KeyState
from frontdesk.log import get_logger

log = get_logger(__name__)

MAX_KEY_LENGTH = 255
# Longer than any request should take; a claim this old was abandoned.
LEASE = timedelta(seconds=60)
RETENTION = timedelta(hours=24)


@dataclass(frozen=True)
class KeyedRequest:
    """A write sent with an Idempotency-Key, reduced to what identifies it."""

    owner: str
    key: str
    method: str
    path: str
    fingerprint: str


@dataclass(frozen=True)
class StoredResponse:
    status: int
    content_type: str | None
    body: str


@dataclass(frozen=True)
class Claimed:
    key_id: uuid.UUID


@dataclass(frozen=True)
class Replay:
    key_id: uuid.UUID
    response: StoredResponse


def check_key(key: str) -> None:
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidIdempotencyKey(
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters"
        )


def owner_of(secret: str) -> str:
    # The same digest as ApiKey.secret_hash, so knows_caller can match on it.
    return hashlib.sha256(secret.encode()).hexdigest()


def fingerprint_of(*, method: str, path: str, query_string: bytes, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query_string, _canonical(body)):
        # Length prefixes keep the parts apart: no two splits hash alike.
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


@dataclass(frozen=True)
class _Number:
    literal: str


def _canonical(body: bytes) -> bytes:
    """A JSON body with sorted keys and no spaces; any other body as sent.

    Numbers keep their literal text rather than meet as one float, so two
    bodies match only if the app cannot read them differently.
    """
    try:
        document = json.loads(
            body, parse_float=_Number, parse_int=_Number, parse_constant=_Number
        )
        return _render(document).encode()
    except (ValueError, RecursionError):
        return body


def _render(value: object) -> str:
    if isinstance(value, _Number):
        return value.literal
    if isinstance(value, dict):
        members = sorted(value.items())
        return "{" + ",".join(f"{json.dumps(k)}:{_render(v)}" for k, v in members) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_render(v) for v in value) + "]"
    return json.dumps(value)


def knows_caller(db: Session, *, owner: str) -> bool:
    """Only live API keys get rows: a made-up bearer token writes nothing."""
    live = select(ApiKey.id).where(
        ApiKey.secret_hash == owner, ApiKey.revoked_at.is_(None)
    )
    return db.scalar(live) is not None


def look_up(db: Session, *, request: KeyedRequest) -> Replay | None:
    """Answer a retry from the stored key, or None when the key is to be claimed.

    Needs only a reading transaction, so on SQLite a retry is answered while
    the first attempt still holds the write lock.
    """
    now = utc_now()
    row = _find(db, request, now=now)
    return None if row is None else _judge(row, request, now=now)


def claim(db: Session, *, request: KeyedRequest) -> Claimed | Replay:
    """Claim the key for this request, or answer from the claim that holds it."""
    now = utc_now()
    prune(db, older_than=now - RETENTION)
    row = _find(db, request, now=now)
    if row is not None:
        replay = _judge(row, request, now=now)
        if replay is not None:
            return replay
        _take_over(db, row, now=now)
    return _insert(db, request, now=now)


def mark_committed(db: Session, *, key_id: uuid.UUID) -> None:
    """Mark the key in the work's own transaction, just before it commits.

    Conditional on the claim still being this request's: if a retry took it
    over, this raises and the work rolls back, so it is never done twice.
    """
    marked = _affected(
        db,
        update(IdempotencyKey)
        .where(
            IdempotencyKey.id == key_id,
            IdempotencyKey.state == KeyState.IN_PROGRESS,
        )
        .values(state=KeyState.COMMITTED)
        .execution_options(synchronize_session=False),
    )
    if marked != 1:
        log.warning("idempotency.claim_expired", key_id=str(key_id))
        raise IdempotencyClaimExpired(
            "this request outlived its claim on the Idempotency-Key and a retry "
            "took it over; nothing was done here, send it again for that "
            "retry's response"
        )


def complete(db: Session, *, key_id: uuid.UUID, response: StoredResponse) -> bool:
    """Store the first response; False if the claim is no longer this request's."""
    stored = _affected(
        db,
        update(IdempotencyKey)
        .where(
            IdempotencyKey.id == key_id,
            IdempotencyKey.state.in_((KeyState.IN_PROGRESS, KeyState.COMMITTED)),
        )
        .values(
            state=KeyState.COMPLETED,
            response_status=response.status,
            response_content_type=response.content_type,
            response_body=response.body,
            completed_at=utc_now(),
        )
        .execution_options(synchronize_session=False),
    )
    return stored == 1


def release(db: Session, *, key_id: uuid.UUID) -> bool:
    """Drop a claim whose work never committed, so a retry runs again.

    A COMMITTED key is kept: its work is done, and a retry must hear so.
    """
    released = _affected(
        db,
        delete(IdempotencyKey)
        .where(
            IdempotencyKey.id == key_id,
            IdempotencyKey.state == KeyState.IN_PROGRESS,
        )
        .execution_options(synchronize_session=False),
    )
    return released == 1


def prune(db: Session, *, older_than: datetime) -> int:
    pruned = _affected(
        db,
        delete(IdempotencyKey)
        .where(IdempotencyKey.created_at < older_than)
        .execution_options(synchronize_session=False),
    )
    if pruned:
        log.info("idempotency.pruned", count=pruned)
    return pruned


def _affected(db: Session, statement: Update | Delete) -> int:
    result = cast(CursorResult[Any], db.execute(statement))
    return result.rowcount


def _find(
    db: Session, request: KeyedRequest, *, now: datetime
) -> IdempotencyKey | None:
    # A key past retention is gone even before the next claim prunes it.
    return db.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.owner == request.owner,
            IdempotencyKey.key == request.key,
            IdempotencyKey.created_at >= now - RETENTION,
        )
    )


def _judge(
    row: IdempotencyKey, request: KeyedRequest, *, now: datetime
) -> Replay | None:
    """What a retry gets from the key's row; None means it may take the row over."""
    key_id = str(row.id)
    if (row.method, row.path, row.fingerprint) != (
        request.method,
        request.path,
        request.fingerprint,
    ):
        log.info("idempotency.key_reused", key_id=key_id)
        raise IdempotencyKeyReused(
            "this Idempotency-Key was sent with another request; "
            "use a new key for a new request"
        )
    stored = _stored_response(row)
    if row.state is KeyState.COMPLETED and stored is not None:
        return Replay(key_id=row.id, response=stored)
    abandoned = row.created_at < now - LEASE
    if row.state is KeyState.IN_PROGRESS and abandoned:
        return None
    if row.state is KeyState.COMMITTED and abandoned:
        log.warning("idempotency.response_lost", key_id=key_id)
        raise IdempotencyResponseLost(
            "the first request with this Idempotency-Key completed but its "
            "response was not kept; read the resource instead of retrying"
        )
    log.info("idempotency.in_progress", key_id=key_id)
    raise IdempotencyInProgress(
        "the first request with this Idempotency-Key is still running; "
        "retry in a moment"
    )


def _stored_response(row: IdempotencyKey) -> StoredResponse | None:
    if row.response_status is None or row.response_body is None:
        return None
    return StoredResponse(
        status=row.response_status,
        content_type=row.response_content_type,
        body=row.response_body,
    )


def _take_over(db: Session, row: IdempotencyKey, *, now: datetime) -> None:
    # The stale claim is deleted and a new one, with a new id, inserted: the
    # first attempt, if alive, then fails mark_committed and rolls back. The
    # delete is conditional because that attempt may have marked the row
    # meanwhile (on PostgreSQL this waits for its row lock, then matches
    # nothing once it committed).
    db.expunge(row)
    taken = _affected(
        db,
        delete(IdempotencyKey)
        .where(
            IdempotencyKey.id == row.id,
            IdempotencyKey.state == KeyState.IN_PROGRESS,
            IdempotencyKey.created_at < now - LEASE,
        )
        .execution_options(synchronize_session=False),
    )
    if not taken:
        raise IdempotencyInProgress(
            "the first request with this Idempotency-Key is finishing; "
            "retry in a moment"
        )
    log.info("idempotency.taken_over", key_id=str(row.id))


def _insert(db: Session, request: KeyedRequest, *, now: datetime) -> Claimed | Replay:
    row = IdempotencyKey(
        owner=request.owner,
        key=request.key,
        method=request.method,
        path=request.path,
        fingerprint=request.fingerprint,
        state=KeyState.IN_PROGRESS,
        created_at=now,
    )
    try:
        with db.begin_nested():
            db.add(row)
    except IntegrityError:
        # Another request claimed the key between the look and the insert
        # (PostgreSQL; SQLite claims under the write lock).
        winner = _find(db, request, now=now)
        replay = None if winner is None else _judge(winner, request, now=now)
        if replay is None:
            raise IdempotencyInProgress(
                "another request with this Idempotency-Key is starting; "
                "retry in a moment"
            ) from None
        return replay
    log.info("idempotency.claimed", key_id=str(row.id))
    return Claimed(key_id=row.id)
