from __future__ import annotations

from frontdesk.errors import Conflict, ValidationFailed


class InvalidIdempotencyKey(ValidationFailed):
    pass


class IdempotencyKeyReused(ValidationFailed):
    code = "idempotency_key_reused"
    title = "The idempotency key was used for another request"


class IdempotencyInProgress(Conflict):
    code = "idempotency_in_progress"
    title = "A request with this idempotency key is still running"


class IdempotencyResponseLost(Conflict):
    code = "idempotency_response_lost"
    title = "The request completed but its response was not kept"


class IdempotencyClaimExpired(Conflict):
    code = "idempotency_claim_expired"
    title = "A retry took over this request's idempotency key"
