from __future__ import annotations

from frontdesk.errors import Conflict


class NothingDue(Conflict):
    code = "nothing_due"
    title = "Nothing is due on this order"


class OrderHasPayments(Conflict):
    code = "order_has_payments"
    title = "Money was already taken on this order"
