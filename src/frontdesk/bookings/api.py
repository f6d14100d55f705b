from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, status

from frontdesk.api.deps import Db, require
from frontdesk.api.pagination import Cursor, Limit, after_id, next_cursor
from frontdesk.api.schemas import Page
from frontdesk.attendance.service import set_attendance
from frontdesk.auth.scopes import Scope
from frontdesk.auth.service import Caller
from frontdesk.bookings import changes, service
from frontdesk.bookings.models import BookingPaymentStatus, BookingStatus
from frontdesk.bookings.schemas import (
    AttendanceIn,
    BookingCreate,
    BookingOut,
    EligibleMembershipOut,
    RedeemIn,
    RescheduleIn,
    RevisionIn,
)
from frontdesk.bookings.views import present_booking, present_bookings
from frontdesk.clock import utc_now
from frontdesk.contacts.service import find_or_create_contact
from frontdesk.errors import ValidationFailed
from frontdesk.plans.service import eligible_memberships
from frontdesk.plans.status import current_status

router = APIRouter(prefix="/v1/bookings", tags=["bookings"])

Reader = Depends(require(Scope.BOOKINGS_READ))
Manager = Depends(require(Scope.BOOKINGS_MANAGE))


@router.post("", status_code=status.HTTP_201_CREATED)
def create_booking(
    body: BookingCreate,
    db: Db,
    caller: Caller = Depends(require(Scope.BOOKINGS_CREATE)),
) -> BookingOut:
    contact_id = _contact_for(db, body, caller)
    override = bool(
        body.flow_control and body.flow_control.skip_availability_validation
    )
    if override:
        caller.require(Scope.BOOKINGS_OVERRIDE_AVAILABILITY)
    if body.payment is not None:
        caller.require(Scope.PAYMENTS_COLLECT)
    booking = service.book(
        db,
        service.BookingRequest(
            session_id=body.session_id,
            contact_id=contact_id,
            participants=body.participants,
            payment_option=body.payment_option,
            membership_id=body.membership_id,
            payment=None
            if body.payment is None
            else service.PaymentRequest(
                method=body.payment.method,
                amount=body.payment.amount,
                reference=body.payment.reference,
            ),
            override_capacity=override,
            may_defer_plan_payment=caller.has(Scope.BOOKINGS_MANAGE_PAYMENTS),
        ),
    )
    return present_booking(db, booking)


def _contact_for(db: Db, body: BookingCreate, caller: Caller) -> uuid.UUID:
    if (body.contact_id is None) == (body.contact is None):
        raise ValidationFailed("send exactly one of contact_id and contact")
    if body.contact_id is not None:
        return body.contact_id
    assert body.contact is not None
    caller.require(Scope.CONTACTS_MANAGE)
    contact = find_or_create_contact(
        db,
        first_name=body.contact.first_name,
        last_name=body.contact.last_name,
        email=body.contact.email,
        phone=body.contact.phone,
    )
    return contact.id


@router.get("", dependencies=[Reader])
def list_bookings(
    db: Db,
    session_id: uuid.UUID | None = None,
    contact_id: uuid.UUID | None = None,
    status: BookingStatus | None = None,
    payment_status: BookingPaymentStatus | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[BookingOut]:
    rows = service.list_bookings(
        db,
        session_id=session_id,
        contact_id=contact_id,
        status=status,
        payment_status=payment_status,
        limit=limit,
        after=after_id(cursor),
    )
    return Page(
        items=present_bookings(db, rows),
        next_cursor=next_cursor(rows, limit, lambda b: [str(b.id)]),
    )


@router.get("/{booking_id}", dependencies=[Reader])
def get_booking(booking_id: uuid.UUID, db: Db) -> BookingOut:
    return present_booking(db, service.get_booking(db, booking_id))


@router.post("/{booking_id}/confirm", dependencies=[Manager])
def confirm_booking(booking_id: uuid.UUID, body: RevisionIn, db: Db) -> BookingOut:
    return present_booking(
        db, changes.confirm(db, booking_id=booking_id, revision=body.revision)
    )


@router.post("/{booking_id}/decline", dependencies=[Manager])
def decline_booking(booking_id: uuid.UUID, body: RevisionIn, db: Db) -> BookingOut:
    return present_booking(
        db, changes.decline(db, booking_id=booking_id, revision=body.revision)
    )


@router.post("/{booking_id}/cancel", dependencies=[Manager])
def cancel_booking(booking_id: uuid.UUID, body: RevisionIn, db: Db) -> BookingOut:
    return present_booking(
        db, changes.cancel(db, booking_id=booking_id, revision=body.revision)
    )


@router.post("/{booking_id}/reschedule", dependencies=[Manager])
def reschedule_booking(booking_id: uuid.UUID, body: RescheduleIn, db: Db) -> BookingOut:
    booking = changes.reschedule(
        db, booking_id=booking_id, session_id=body.session_id, revision=body.revision
    )
    return present_booking(db, booking)


@router.get("/{booking_id}/eligible-memberships", dependencies=[Reader])
def list_eligible_memberships(
    booking_id: uuid.UUID, db: Db
) -> list[EligibleMembershipOut]:
    booking = service.get_booking(db, booking_id)
    now = utc_now()
    return [
        EligibleMembershipOut(
            membership_id=membership.id,
            plan_id=plan.id,
            plan_name=plan.name,
            status=current_status(membership, now),
            eligible=reason is None,
            reason=None if reason is None else reason.value,
            credits_left=membership.credits_left,
            valid_until=membership.valid_until,
        )
        for membership, plan, reason in eligible_memberships(
            db, service.charge_of(db, booking)
        )
    ]


@router.post(
    "/{booking_id}/redeem",
    dependencies=[Depends(require(Scope.BOOKINGS_MANAGE_PAYMENTS))],
)
def redeem_booking(booking_id: uuid.UUID, body: RedeemIn, db: Db) -> BookingOut:
    booking = changes.redeem_booking(
        db,
        booking_id=booking_id,
        membership_id=body.membership_id,
        revision=body.revision,
    )
    return present_booking(db, booking)


@router.put(
    "/{booking_id}/attendance",
    dependencies=[Depends(require(Scope.ATTENDANCE_SET))],
)
def put_attendance(booking_id: uuid.UUID, body: AttendanceIn, db: Db) -> BookingOut:
    set_attendance(
        db,
        booking_id=booking_id,
        status=body.status,
        attendees=body.attendees,
        revision=body.revision,
    )
    return present_booking(db, service.get_booking(db, booking_id))
