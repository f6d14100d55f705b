from __future__ import annotations

from frontdesk.errors import Conflict, ValidationFailed


class CheckoutCompleted(Conflict):
    code = "checkout_completed"
    title = "The checkout is already completed"


class InvalidCheckout(ValidationFailed):
    pass
