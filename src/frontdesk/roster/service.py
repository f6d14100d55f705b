"""The staff view of one session: every booking, with money, plan and attendance.

Rows come in roster position (the order bookings were made in), so the list
reads the same on every request while staff work through it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import or_, select
from sqlalchemy.orm import Session as Db

from frontdesk.attendance.models import Attendance
from frontdesk.attendance.service import attendance_of
from frontdesk.bookings.models import Booking, BookingPaymentStatus
from frontdesk.bookings.views import paying_memberships
from frontdesk.catalog.models import Service, ServiceType
from frontdesk.contacts.models import Contact
from frontdesk.lookup import get_or_404
from frontdesk.money import Money
from frontdesk.orders.models import Order
from frontdesk.plans.models import Membership, Plan
from frontdesk.sessions.models import Session

Keyed = TypeVar("Keyed", Contact, Order, Membership, Plan)


@dataclass(frozen=True)
class RosterRow:
    position: int
    booking: Booking
    contact: Contact
    order: Order | None
    membership: Membership | None
    plan: Plan | None
    attendance: Attendance | None

    @property
    def due(self) -> Money | None:
        if self.order is None:
            return None
        net = self.order.paid_minor - self.order.refunded_minor
        return self.order.money(max(self.order.total_minor - net, 0))

    @property
    def payment_label(self) -> str:
        status = self.booking.payment_status
        if status == BookingPaymentStatus.PAID_BY_PLAN:
            return "paid by plan"
        if status in (
            BookingPaymentStatus.NOT_PAID,
            BookingPaymentStatus.PARTIALLY_PAID,
        ):
            due = self.due
            return "unpaid" if due is None else f"{due.formatted()} due"
        return str(status).replace("_", " ").lower()


def roster(db: Db, session_id: uuid.UUID) -> tuple[Session, list[RosterRow]]:
    session = get_or_404(db, Session, session_id, noun="session")
    service = get_or_404(db, Service, session.service_id, noun="service")
    on_session = Booking.session_id == session.id
    if service.type is ServiceType.COURSE:
        on_session = or_(on_session, Booking.service_id == service.id)
    bookings = list(
        db.scalars(
            select(Booking)
            .where(on_session)
            .order_by(Booking.roster_position, Booking.created_at, Booking.id)
        )
    )
    return session, _rows(db, bookings)


def _rows(db: Db, bookings: list[Booking]) -> list[RosterRow]:
    ids = [b.id for b in bookings]
    contacts = _by_id(db, Contact, {b.contact_id for b in bookings})
    orders = _by_id(db, Order, {b.order_id for b in bookings if b.order_id})
    paying = paying_memberships(db, ids)
    memberships = _by_id(db, Membership, set(paying.values()))
    plans = _by_id(db, Plan, {m.plan_id for m in memberships.values()})
    attendance = attendance_of(db, ids)
    rows = []
    for position, booking in enumerate(bookings, start=1):
        membership = (
            memberships.get(paying[booking.id]) if booking.id in paying else None
        )
        rows.append(
            RosterRow(
                position=position,
                booking=booking,
                contact=contacts[booking.contact_id],
                order=orders.get(booking.order_id) if booking.order_id else None,
                membership=membership,
                plan=plans.get(membership.plan_id) if membership else None,
                attendance=attendance.get(booking.id),
            )
        )
    return rows


def _by_id(db: Db, model: type[Keyed], ids: set[uuid.UUID]) -> dict[uuid.UUID, Keyed]:
    if not ids:
        return {}
    rows = db.scalars(select(model).where(model.id.in_(ids)))
    return {row.id: row for row in rows}
