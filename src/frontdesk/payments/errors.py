from __future__ import annotations

from frontdesk.errors import Conflict, ValidationFailed


class AmountExceedsDue(Conflict):
    code = "amount_exceeds_due"
    title = "The amount is more than is due"


class RefundExceedsPaid(Conflict):
    code = "refund_exceeds_paid"
    title = "The refund is more than was paid"


class InvalidAmount(ValidationFailed):
    pass
