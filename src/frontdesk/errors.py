"""The root of every domain error: a stable code and an HTTP status.

Each domain package derives its own family from `FrontdeskError`; the HTTP
layer renders any of them as RFC 9457 problem details, so an expected failure
is never a 500.
"""

from __future__ import annotations

from typing import Any, ClassVar


class FrontdeskError(Exception):
    code: ClassVar[str] = "error"
    status: ClassVar[int] = 400
    title: ClassVar[str] = "Request refused"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(FrontdeskError):
    code = "not_found"
    status = 404
    title = "Not found"


class ValidationFailed(FrontdeskError):
    code = "validation_error"
    status = 422
    title = "Invalid request"


class Conflict(FrontdeskError):
    code = "conflict"
    status = 409
    title = "Conflict"


class StaleRevision(Conflict):
    code = "stale_revision"
    title = "Stale revision"


class MissingScope(FrontdeskError):
    code = "missing_scope"
    status = 403
    title = "Missing scope"


class Unauthenticated(FrontdeskError):
    code = "unauthenticated"
    status = 401
    title = "Unauthenticated"
