from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends

from frontdesk.api.deps import Db, require
from frontdesk.api.schemas import MoneyOut
from frontdesk.auth.scopes import Scope
from frontdesk.bookings.views import attendance_out
from frontdesk.clock import in_zone
from frontdesk.roster.schemas import RosterContact, RosterOut, RosterPlan, RosterRowOut
from frontdesk.roster.service import RosterRow, roster

router = APIRouter(prefix="/v1/sessions", tags=["sessions"])


def row_out(row: RosterRow, zone: str) -> RosterRowOut:
    booking, order = row.booking, row.order
    return RosterRowOut(
        position=row.position,
        booking_id=booking.id,
        status=booking.status,
        participants=booking.participants,
        payment_option=booking.payment_option,
        payment_status=booking.payment_status,
        payment_label=row.payment_label,
        revision=booking.revision,
        contact=RosterContact(
            id=row.contact.id, name=row.contact.display_name, email=row.contact.email
        ),
        order_id=booking.order_id,
        paid=MoneyOut.of(order.money(order.paid_minor - order.refunded_minor))
        if order
        else None,
        due=MoneyOut.of(row.due) if row.due is not None else None,
        plan=RosterPlan(
            membership_id=row.membership.id,
            plan_name=row.plan.name,
            credits_left=row.membership.credits_left,
        )
        if row.membership and row.plan
        else None,
        attendance=attendance_out(row.attendance, zone) if row.attendance else None,
    )


@router.get(
    "/{session_id}/roster", dependencies=[Depends(require(Scope.BOOKINGS_READ))]
)
def get_roster(session_id: uuid.UUID, db: Db) -> RosterOut:
    session, rows = roster(db, session_id)
    return RosterOut(
        session_id=session.id,
        service_id=session.service_id,
        start=in_zone(session.start_at, session.timezone),
        end=in_zone(session.end_at, session.timezone),
        timezone=session.timezone,
        capacity=session.capacity,
        items=[row_out(r, session.timezone) for r in rows],
    )
