from __future__ import annotations

from frontdesk.errors import Conflict


class NothingDue(Conflict):
    code = "nothing_due"
    title = "Nothing is due on this order"


class PlaceNotGiven(Conflict):
    code = "booking_waiting"
    title = "The booking waits in line; nothing is paid for a place in line"


class OrderHasPayments(Conflict):
    code = "order_has_payments"
    title = "Money was already taken on this order"
