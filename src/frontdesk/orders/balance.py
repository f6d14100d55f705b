"""How an order's figures follow from its lines, payments and refunds.

This is the one place that maps money onto statuses (invariant 3); both the
writing path (`settle`) and `frontdesk check` use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from frontdesk.bookings.models import BookingPaymentStatus
from frontdesk.orders.models import OrderLine, OrderPaymentStatus, OrderStatus


@dataclass(frozen=True)
class Balance:
    total: int
    paid: int
    refunded: int
    pending: int = 0

    @property
    def net_paid(self) -> int:
        return self.paid - self.refunded

    @property
    def due(self) -> int:
        return max(self.total - self.net_paid, 0)


def is_voided(lines: Sequence[OrderLine]) -> bool:
    return bool(lines) and all(line.voided_at is not None for line in lines)


def order_payment_status(
    balance: Balance, lines: Sequence[OrderLine]
) -> OrderPaymentStatus:
    if balance.refunded > 0:
        if balance.net_paid <= 0:
            return OrderPaymentStatus.FULLY_REFUNDED
        return OrderPaymentStatus.PARTIALLY_REFUNDED
    if balance.paid >= balance.total and (balance.total > 0 or balance.paid > 0):
        return OrderPaymentStatus.PAID
    if balance.total == 0 and not is_voided(lines):
        return OrderPaymentStatus.PAID  # a 0.00 order (plan, free) owes nothing
    if balance.paid > 0:
        return OrderPaymentStatus.PARTIALLY_PAID
    if balance.pending > 0:
        return OrderPaymentStatus.PENDING
    return OrderPaymentStatus.NOT_PAID


def order_status(balance: Balance, lines: Sequence[OrderLine]) -> OrderStatus:
    if is_voided(lines) and balance.paid == 0:
        return OrderStatus.CANCELED
    return OrderStatus.COMPLETE if balance.due == 0 else OrderStatus.OPEN


def line_payment_statuses(
    balance: Balance, lines: Sequence[OrderLine]
) -> dict[int, BookingPaymentStatus]:
    """Each line's status, with the money paid covering lines in their order.

    Live lines are covered first; a voided line (its booking was canceled)
    keeps what was paid for it until that money is refunded.
    """
    statuses: dict[int, BookingPaymentStatus] = {}
    fully_refunded = balance.refunded > 0 and balance.net_paid <= 0
    remaining = balance.net_paid
    for line in sorted(
        lines, key=lambda item: (item.voided_at is not None, item.position)
    ):
        if line.paid_by_membership_id is not None:
            statuses[line.position] = BookingPaymentStatus.PAID_BY_PLAN
        elif fully_refunded:
            statuses[line.position] = BookingPaymentStatus.REFUNDED
        elif line.unit_price_minor == 0:
            statuses[line.position] = BookingPaymentStatus.EXEMPT
        elif remaining >= line.unit_price_minor * line.quantity:
            statuses[line.position] = BookingPaymentStatus.PAID
            remaining -= line.unit_price_minor * line.quantity
        elif remaining > 0:
            statuses[line.position] = BookingPaymentStatus.PARTIALLY_PAID
            remaining = 0
        else:
            statuses[line.position] = BookingPaymentStatus.NOT_PAID
    return statuses


def lines_total(lines: Sequence[OrderLine]) -> int:
    return sum(line.price_minor for line in lines if line.voided_at is None)
