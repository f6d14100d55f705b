"""API keys: random secrets shown once, kept only as SHA-256 digests.

The secrets carry 256 bits of randomness, so a fast digest is enough: there
is nothing to guess that a slow password hash would protect.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from frontdesk.auth.models import ApiKey
from frontdesk.auth.scopes import Scope
from frontdesk.errors import MissingScope, Unauthenticated

SECRET_PREFIX = "fd_"


@dataclass(frozen=True)
class Caller:
    key_id: str
    scopes: frozenset[Scope]

    def has(self, scope: Scope) -> bool:
        return scope in self.scopes

    def require(self, *needed: Scope) -> None:
        missing = [s.value for s in needed if s not in self.scopes]
        if missing:
            raise MissingScope(
                f"this key lacks the scope {', '.join(missing)}", scopes=missing
            )


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(
    db: Session, *, name: str, scopes: Iterable[Scope]
) -> tuple[ApiKey, str]:
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        name=name,
        secret_hash=_digest(secret),
        prefix=secret[:10],
        scopes=sorted(s.value for s in scopes),
    )
    db.add(key)
    db.flush()
    return key, secret


def authenticate(db: Session, *, secret: str | None) -> Caller:
    if not secret:
        raise Unauthenticated("send an API key as 'Authorization: Bearer <key>'")
    key = db.scalar(select(ApiKey).where(ApiKey.secret_hash == _digest(secret)))
    if key is None or key.revoked_at is not None:
        raise Unauthenticated("this API key is not known or was revoked")
    return Caller(key_id=str(key.id), scopes=frozenset(Scope(s) for s in key.scopes))


def count_keys(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(ApiKey)) or 0
