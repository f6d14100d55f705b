"""Idempotency-Key on every write, as a pure ASGI middleware.

Before the app runs, the key is looked up and claimed in short transactions
of its own; the request's unit of work then marks it COMMITTED together with
the work (api/deps.py); after the app has answered, the response is stored
(or the claim released) before it is sent, so a client that has seen a
response always gets it again on a retry. The states are described in
frontdesk.idempotency.service.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from frontdesk.api.problems import PROBLEM_JSON, database_busy, problem
from frontdesk.db.unit_of_work import unit_of_work
from frontdesk.errors import FrontdeskError
from frontdesk.idempotency import service
from frontdesk.idempotency.service import (
    Claimed,
    KeyedRequest,
    Replay,
    StoredResponse,
)
from frontdesk.log import get_logger

log = get_logger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
KEY_HEADER = "idempotency-key"
REPLAYED_HEADER = "idempotent-replayed"
STATE_KEY_ID = "idempotency_key_id"
# The 409 of two concurrent writes (api/problems.py) tells the client to
# retry; kept, it would refuse that very retry until the key expired.
RETRY_CODES = frozenset({"conflict"})


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        key = headers.get(KEY_HEADER)
        secret = _bearer_secret(headers)
        if key is None or secret is None:
            # Without a bearer key the app answers 401; nothing to remember.
            await self.app(scope, receive, send)
            return
        try:
            service.check_key(key)
        except FrontdeskError as refusal:
            await _refuse(refusal, scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:
            return
        request = KeyedRequest(
            owner=service.owner_of(secret),
            key=key,
            method=scope["method"],
            path=scope["path"],
            fingerprint=service.fingerprint_of(
                method=scope["method"],
                path=scope["path"],
                query_string=scope.get("query_string", b""),
                body=body,
            ),
        )
        await self._handle(request, body, scope, receive, send)

    async def _handle(
        self,
        request: KeyedRequest,
        body: bytes,
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        state = scope["app"].state
        try:
            outcome = await run_in_threadpool(_claim, state, request)
        except FrontdeskError as refusal:
            await _refuse(refusal, scope, receive, send)
            return
        except OperationalError as busy:
            # The key could not even be claimed: nothing ran, a retry may.
            await database_busy(busy)(scope, receive, send)
            return
        if outcome is None:
            await self.app(scope, _replaying(body, receive), send)
        elif isinstance(outcome, Replay):
            log.info("idempotency.replayed", key_id=str(outcome.key_id))
            await _replay(outcome.response)(scope, receive, send)
        else:
            await self._run(outcome.key_id, body, scope, receive, send)

    async def _run(
        self,
        key_id: uuid.UUID,
        body: bytes,
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        state = scope["app"].state
        scope.setdefault("state", {})[STATE_KEY_ID] = key_id
        answer = _Answer()
        try:
            await self.app(scope, _replaying(body, receive), answer.capture)
        except Exception:
            # The server error middleware outside answers 500; nothing was
            # committed unless the key says so, and release keeps that key.
            await run_in_threadpool(_release, state, key_id)
            raise
        try:
            await run_in_threadpool(_settle, state, key_id, answer)
        except Exception as failure:
            # The work stands whatever happens to its key: send its answer.
            log.exception(
                "idempotency.store_failed",
                key_id=str(key_id),
                error=type(failure).__name__,
            )
        await answer.forward(send)


@dataclass
class _Answer:
    """The app's response, held back until it has been stored."""

    start: Message | None = None
    chunks: list[bytes] = field(default_factory=list)
    trailing: list[Message] = field(default_factory=list)

    async def capture(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = message
        elif message["type"] == "http.response.body":
            self.chunks.append(message.get("body", b""))
        else:
            self.trailing.append(message)

    @property
    def status(self) -> int:
        return 500 if self.start is None else int(self.start["status"])

    @property
    def content_type(self) -> str | None:
        raw = [] if self.start is None else self.start.get("headers", [])
        return Headers(raw=raw).get("content-type")

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)

    async def forward(self, send: Send) -> None:
        if self.start is None:
            return
        await send(self.start)
        await send({"type": "http.response.body", "body": self.body})
        for message in self.trailing:
            await send(message)


def _bearer_secret(headers: Headers) -> str | None:
    scheme, _, secret = headers.get("authorization", "").partition(" ")
    secret = secret.strip()
    return secret if scheme.lower() == "bearer" and secret else None


async def _read_body(receive: Receive) -> bytes | None:
    """The whole request body, or None if the client went away meanwhile."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the app the buffered body, then the real stream."""
    pending = True

    async def replay() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _refuse(
    refusal: FrontdeskError, scope: Scope, receive: Receive, send: Send
) -> None:
    response = problem(
        refusal.status, refusal.code, refusal.title, refusal.detail, **refusal.extra
    )
    await response(scope, receive, send)


def _replay(stored: StoredResponse) -> Response:
    headers = {REPLAYED_HEADER: "true"}
    if stored.content_type is not None:
        headers["content-type"] = stored.content_type
    return Response(stored.body, status_code=stored.status, headers=headers)


def _claim(state: Any, request: KeyedRequest) -> Claimed | Replay | None:
    """Claim the key; None means the caller is unknown and the app answers."""
    # The look-up reads without the write lock, so a retry is answered (409
    # in progress, or a replay) while the first attempt still holds it.
    with unit_of_work(state.read_session_factory) as db:
        if not service.knows_caller(db, owner=request.owner):
            return None
        replay = service.look_up(db, request=request)
    if replay is not None:
        return replay
    with unit_of_work(state.session_factory) as db:
        return service.claim(db, request=request)


def _release(state: Any, key_id: uuid.UUID) -> None:
    with unit_of_work(state.session_factory) as db:
        service.release(db, key_id=key_id)


def _settle(state: Any, key_id: uuid.UUID, answer: _Answer) -> None:
    """Keep the answer for retries, or release the claim so a retry runs."""
    text = _storable_text(answer)
    with unit_of_work(state.session_factory) as db:
        if text is None:
            released = service.release(db, key_id=key_id)
            # Not released: the work committed (the key stays COMMITTED) or a
            # retry took the claim over.
            event = "idempotency.released" if released else "idempotency.not_released"
            log.info(event, key_id=str(key_id), status=answer.status)
            return
        stored = StoredResponse(
            status=answer.status, content_type=answer.content_type, body=text
        )
        if service.complete(db, key_id=key_id, response=stored):
            log.info("idempotency.completed", key_id=str(key_id), status=stored.status)
        else:
            log.warning("idempotency.claim_lost", key_id=str(key_id))


def _storable_text(answer: _Answer) -> str | None:
    """The body to replay on retries, or None if this answer must not be kept."""
    status = answer.status
    if status == 422 or status >= 500 or _asks_for_retry(answer):
        # The work rolled back: a corrected or later retry must run again.
        return None
    try:
        return answer.body.decode()
    except UnicodeDecodeError:
        return None


def _asks_for_retry(answer: _Answer) -> bool:
    if answer.status != 409 or answer.content_type != PROBLEM_JSON:
        return False
    try:
        code = json.loads(answer.body).get("code")
    except (ValueError, AttributeError):
        return False
    return code in RETRY_CODES
