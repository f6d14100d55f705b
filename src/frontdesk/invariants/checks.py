"""`frontdesk check`: invariants 1 to 5 of the domain over the whole database,
and invariant 6 for the events that make and end bookings.

Each check recomputes from the rows that are the truth (bookings, lines,
payments, refunds, redemptions) and names every breach it finds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session as Db

from frontdesk.bookings.models import (
    ENDED_STATUSES,
    Booking,
    BookingPaymentStatus,
    holds_a_place,
)
from frontdesk.catalog.models import Service, ServiceType
from frontdesk.clock import utc_now
from frontdesk.events.models import Event
from frontdesk.orders.balance import (
    Balance,
    line_payment_statuses,
    lines_total,
    order_payment_status,
)
from frontdesk.orders.models import Order, OrderLine
from frontdesk.payments.models import Payment, PaymentStatus, Refund
from frontdesk.plans.models import Membership, Redemption, RedemptionStatus
from frontdesk.sessions.models import Session


@dataclass(frozen=True)
class Breach:
    invariant: int
    subject: str
    detail: str

    def __str__(self) -> str:
        return f"invariant {self.invariant}: {self.subject}: {self.detail}"


def check_capacity(db: Db) -> list[Breach]:
    breaches = []
    seat_holding = holds_a_place(utc_now()) & ~Booking.overrode_capacity
    per_session = db.execute(
        select(Session.id, Session.capacity, func.sum(Booking.participants))
        .join(Booking, Booking.session_id == Session.id)
        .where(seat_holding)
        .group_by(Session.id, Session.capacity)
    )
    for session_id, capacity, booked in per_session:
        if booked > capacity:
            breaches.append(
                Breach(
                    1, f"session {session_id}", f"{booked} booked, capacity {capacity}"
                )
            )
    per_course = db.execute(
        select(Service.id, Service.capacity, func.sum(Booking.participants))
        .join(Booking, Booking.service_id == Service.id)
        .where(Service.type == ServiceType.COURSE)
        .where(seat_holding)
        .group_by(Service.id, Service.capacity)
    )
    for service_id, capacity, booked in per_course:
        if booked > capacity:
            breaches.append(
                Breach(
                    1, f"course {service_id}", f"{booked} booked, capacity {capacity}"
                )
            )
    return breaches


def check_order_lines(db: Db) -> list[Breach]:
    lines_by_booking: dict[object, list[OrderLine]] = defaultdict(list)
    for line in db.scalars(
        select(OrderLine)
        .where(OrderLine.booking_id.is_not(None))
        .where(OrderLine.voided_at.is_(None))
    ):
        lines_by_booking[line.booking_id].append(line)
    breaches = []
    for booking in db.scalars(select(Booking)):
        lines = lines_by_booking.get(booking.id, [])
        if booking.status in ENDED_STATUSES:
            if lines:
                breaches.append(
                    Breach(
                        2, f"booking {booking.id}", "ended but its line is still live"
                    )
                )
            continue
        if len(lines) != 1:
            breaches.append(
                Breach(
                    2, f"booking {booking.id}", f"{len(lines)} live order lines, not 1"
                )
            )
        elif lines[0].order_id != booking.order_id:
            breaches.append(
                Breach(2, f"booking {booking.id}", "names another order than its line")
            )
    return breaches


def check_order_money(db: Db) -> list[Breach]:
    paid = _sums(
        db,
        select(Payment.order_id, func.sum(Payment.amount_minor))
        .where(Payment.status == PaymentStatus.APPROVED)
        .group_by(Payment.order_id),
    )
    refunded = _sums(
        db,
        select(Refund.order_id, func.sum(Refund.amount_minor)).group_by(
            Refund.order_id
        ),
    )
    lines: dict[object, list[OrderLine]] = defaultdict(list)
    for line in db.scalars(select(OrderLine)):
        lines[line.order_id].append(line)
    bookings = {b.id: b for b in db.scalars(select(Booking))}
    breaches = []
    for order in db.scalars(select(Order)):
        order_lines = lines.get(order.id, [])
        balance = Balance(
            total=lines_total(order_lines),
            paid=paid.get(order.id, 0),
            refunded=refunded.get(order.id, 0),
        )
        breaches += _compare_order(order, balance, order_lines)
        statuses = line_payment_statuses(balance, order_lines)
        for line in order_lines:
            booking = bookings.get(line.booking_id) if line.booking_id else None
            if (
                booking is not None
                and booking.payment_status != statuses[line.position]
            ):
                breaches.append(
                    Breach(
                        3,
                        f"booking {booking.id}",
                        f"payment status {booking.payment_status}, "
                        f"its order says {statuses[line.position]}",
                    )
                )
    return breaches


def _compare_order(
    order: Order, balance: Balance, lines: list[OrderLine]
) -> list[Breach]:
    subject = f"order {order.id}"
    found = []
    for name, stored, true in (
        ("total", order.total_minor, balance.total),
        ("paid", order.paid_minor, balance.paid),
        ("refunded", order.refunded_minor, balance.refunded),
    ):
        if stored != true:
            found.append(
                Breach(3, subject, f"{name} reads {stored}, its rows add to {true}")
            )
    expected = order_payment_status(balance, lines)
    if order.payment_status != expected:
        found.append(
            Breach(
                3,
                subject,
                f"payment status {order.payment_status}, should be {expected}",
            )
        )
    return found


def check_credits(db: Db) -> list[Breach]:
    spent = _sums(
        db,
        select(Redemption.membership_id, func.sum(Redemption.credits))
        .where(Redemption.status == RedemptionStatus.ACTIVE)
        .group_by(Redemption.membership_id),
    )
    breaches = []
    for membership in db.scalars(select(Membership)):
        if membership.credits_total is None:
            continue
        expected = membership.credits_total - spent.get(membership.id, 0)
        subject = f"membership {membership.id}"
        if membership.credits_left != expected:
            breaches.append(
                Breach(
                    4,
                    subject,
                    f"{membership.credits_left} credits left, "
                    f"the ledger says {expected}",
                )
            )
        if expected < 0 or (membership.credits_left or 0) < 0:
            breaches.append(Breach(4, subject, "credits below zero"))
    return breaches


def check_redemptions(db: Db) -> list[Breach]:
    active = _sums(
        db,
        select(Redemption.booking_id, func.count())
        .where(Redemption.status == RedemptionStatus.ACTIVE)
        .group_by(Redemption.booking_id),
    )
    breaches = []
    for booking in db.scalars(select(Booking)):
        count = active.get(booking.id, 0)
        live = booking.status not in ENDED_STATUSES
        by_plan = booking.payment_status == BookingPaymentStatus.PAID_BY_PLAN
        if live and by_plan and count != 1:
            breaches.append(
                Breach(
                    5, f"booking {booking.id}", f"paid by plan with {count} redemptions"
                )
            )
        elif count and not (live and by_plan):
            breaches.append(
                Breach(
                    5,
                    f"booking {booking.id}",
                    f"{count} active redemptions but not a live plan-paid booking",
                )
            )
    return breaches


CREATION_EVENTS = ("booking.created", "booking.imported")
ENDING_EVENTS = ("booking.canceled", "booking.declined", "booking.offer_lapsed")


def check_booking_events(db: Db) -> list[Breach]:
    """Invariant 6, for bookings: one event for their making, one for their end.

    A booking imported already ended arrives with no ending event of its own.
    """
    counts: dict[tuple[object, str], int] = {
        (subject, kind): int(n)
        for subject, kind, n in db.execute(
            select(Event.subject_id, Event.type, func.count())
            .where(Event.type.in_(CREATION_EVENTS + ENDING_EVENTS))
            .group_by(Event.subject_id, Event.type)
        )
    }
    breaches = []
    for booking_id, status in db.execute(select(Booking.id, Booking.status)):
        made = sum(counts.get((booking_id, kind), 0) for kind in CREATION_EVENTS)
        ended = sum(counts.get((booking_id, kind), 0) for kind in ENDING_EVENTS)
        imported = counts.get((booking_id, "booking.imported"), 0) > 0
        subject = f"booking {booking_id}"
        if made != 1:
            breaches.append(Breach(6, subject, f"{made} creation events, not 1"))
        if ended > 1 or (ended == 1 and status not in ENDED_STATUSES):
            breaches.append(Breach(6, subject, f"{ended} ending events as {status}"))
        if status in ENDED_STATUSES and ended == 0 and not imported:
            breaches.append(Breach(6, subject, f"{status} with no event saying so"))
    return breaches


def _sums(db: Db, query: object) -> dict[object, int]:
    return {key: int(total) for key, total in db.execute(query)}  # type: ignore[call-overload]


CHECKS: tuple[Callable[[Db], list[Breach]], ...] = (
    check_capacity,
    check_order_lines,
    check_order_money,
    check_credits,
    check_redemptions,
    check_booking_events,
)


def check_all(db: Db) -> list[Breach]:
    return [breach for check in CHECKS for breach in check(db)]
