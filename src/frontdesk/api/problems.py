"""Every refusal as RFC 9457 problem details with a stable `code`."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import (
    DataError,
    IntegrityError,
    OperationalError,
    StatementError,
)
from starlette.exceptions import HTTPException

from frontdesk.errors import FrontdeskError
from frontdesk.log import get_logger

log = get_logger(__name__)

PROBLEM_JSON = "application/problem+json"

_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 401: "unauthenticated"}


def problem(
    status: int, code: str, title: str, detail: str, **extra: Any
) -> JSONResponse:
    body = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def database_busy(exc: OperationalError) -> JSONResponse:
    # A lock not granted in time (SQLite's busy timeout, a PostgreSQL
    # deadlock or lock timeout): nothing was written; the client may retry.
    log.warning("request.database_busy", error=type(exc.orig).__name__)
    response = problem(
        503,
        "database_busy",
        "Database busy",
        "the database could not take the change in time; nothing was "
        "written, retry shortly",
    )
    response.headers["Retry-After"] = "1"
    return response


def _describe(error: dict[str, Any]) -> str:
    where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "request"
    if error.get("type") == "timezone_aware":
        return (
            f"{where}: the time has no UTC offset; send one, "
            "as in 2026-06-22T20:00:00-06:00"
        )
    return f"{where}: {error.get('msg', 'invalid')}"


def install(app: FastAPI) -> None:
    @app.exception_handler(FrontdeskError)
    async def _domain(_request: Request, exc: FrontdeskError) -> JSONResponse:
        response = problem(exc.status, exc.code, exc.title, exc.detail, **exc.extra)
        if exc.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="frontdesk"'
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        return problem(
            422,
            "validation_error",
            "Invalid request",
            "; ".join(_describe(e) for e in errors),
            errors=[
                {
                    "loc": list(e.get("loc", ())),
                    "msg": e.get("msg"),
                    "type": e.get("type"),
                }
                for e in errors
            ],
        )

    @app.exception_handler(IntegrityError)
    async def _integrity(_request: Request, exc: IntegrityError) -> JSONResponse:
        log.warning("request.integrity_conflict", error=type(exc.orig).__name__)
        return problem(
            409,
            "conflict",
            "Conflict",
            "the change conflicts with one made at the same time; retry",
        )

    @app.exception_handler(UnicodeError)
    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def _unstorable(_request: Request, exc: Exception) -> JSONResponse:
        # Text that is not valid Unicode, or a value too large for its column
        # or for date arithmetic: the request is at fault, and was rolled back.
        log.info("request.unstorable_value", error=type(exc).__name__)
        return problem(
            422,
            "validation_error",
            "Invalid request",
            "a value in the request cannot be stored: text must be "
            "valid Unicode and numbers and dates within range",
        )

    @app.exception_handler(StatementError)
    async def _statement(request: Request, exc: StatementError) -> JSONResponse:
        if isinstance(exc.orig, UnicodeError | OverflowError):
            return await _unstorable(request, exc)
        return await _unexpected(request, exc)

    @app.exception_handler(OperationalError)
    async def _busy(request: Request, exc: OperationalError) -> JSONResponse:
        return database_busy(exc)

    @app.exception_handler(HTTPException)
    async def _http(_request: Request, exc: HTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return problem(exc.status_code, code, str(exc.detail), str(exc.detail))

    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("request.failed", error=type(exc).__name__)
        return problem(500, "internal_error", "Internal error", "an unexpected error")

    app.add_exception_handler(Exception, _unexpected)
