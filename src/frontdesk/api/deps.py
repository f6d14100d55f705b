"""Request dependencies: the unit of work and the calling key's scopes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from frontdesk.auth.scopes import Scope
from frontdesk.auth.service import Caller, authenticate
from frontdesk.idempotency.service import mark_committed


def _unit_of_work(request: Request) -> Iterator[Session]:
    # scope="function" below makes this exit, and so the commit, run before
    # the response is sent: a 201 is only ever sent for committed work.
    # Safe methods read under a deferred transaction; writes take the lock.
    reading = request.method in ("GET", "HEAD", "OPTIONS")
    factory = (
        request.app.state.read_session_factory
        if reading
        else request.app.state.session_factory
    )
    session: Session = factory()
    try:
        with session.begin():
            yield session
            # The work and its Idempotency-Key commit together, or neither.
            key_id = getattr(request.state, "idempotency_key_id", None)
            if key_id is not None:
                mark_committed(session, key_id=key_id)
    finally:
        session.close()


Db = Annotated[Session, Depends(_unit_of_work, scope="function")]


def _caller(request: Request, db: Db) -> Caller:
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    return authenticate(
        db, secret=secret.strip() if scheme.lower() == "bearer" else None
    )


CallerDep = Annotated[Caller, Depends(_caller)]


def require(*scopes: Scope) -> Callable[[Caller], Caller]:
    def check(caller: CallerDep) -> Caller:
        caller.require(*scopes)
        return caller

    return check


def Allowed(*scopes: Scope) -> object:  # noqa: N802 - reads as a type in signatures
    return Depends(require(*scopes))
