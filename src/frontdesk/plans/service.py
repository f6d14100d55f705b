"""Plans, the memberships that sell them, and the credit ledger."""

from __future__ import annotations

import uuid
from datetime import datetime

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.catalog.models import Service
from frontdesk.clock import utc_now
from frontdesk.contacts.models import Contact
from frontdesk.events.service import record_event
from frontdesk.lookup import get_or_404, lock_or_404, race_window
from frontdesk.money import Money
from frontdesk.orders.models import LineKind, Order, OrderLine
from frontdesk.orders.service import add_line, open_order, settle
from frontdesk.payments.models import PaymentMethod
from frontdesk.payments.service import parse_amount, record_payment
from frontdesk.plans.eligibility import Charge, Ineligibility, credits_needed, why_not
from frontdesk.plans.errors import (
    InsufficientCredits,
    InvalidPlan,
    MembershipChoiceNeeded,
    MembershipExpired,
    MembershipNotEligible,
)
from frontdesk.plans.models import (
    Membership,
    MembershipStatus,
    Plan,
    PlanKind,
    Redemption,
    RedemptionStatus,
    ValidityUnit,
)


def _validity(unit: ValidityUnit, count: int) -> relativedelta:
    match unit:
        case ValidityUnit.DAY:
            return relativedelta(days=count)
        case ValidityUnit.WEEK:
            return relativedelta(weeks=count)
        case ValidityUnit.MONTH:
            return relativedelta(months=count)
        case ValidityUnit.YEAR:
            return relativedelta(years=count)


def create_plan(
    db: Session,
    *,
    name: str,
    kind: PlanKind,
    price: Money,
    credits: int | None = None,
    validity_unit: ValidityUnit | None = None,
    validity_count: int | None = None,
    valid_until: datetime | None = None,
    service_ids: list[uuid.UUID] | None = None,
    external_ref: str | None = None,
) -> Plan:
    if kind is PlanKind.PACK and (credits is None or credits < 1):
        raise InvalidPlan("a PACK plan needs credits of at least 1")
    if kind is PlanKind.UNLIMITED and credits is not None:
        raise InvalidPlan("an UNLIMITED plan has no credits")
    if valid_until is None and (validity_unit is None or not validity_count):
        raise InvalidPlan("a plan needs a validity {unit, count} or a valid_until")
    for service_id in service_ids or ():
        get_or_404(db, Service, service_id, noun="service")
    plan = Plan(
        name=name,
        kind=kind,
        credits=credits,
        price_minor=price.minor,
        currency=price.currency,
        validity_unit=validity_unit,
        validity_count=validity_count,
        valid_until=valid_until,
        service_ids=None if service_ids is None else [str(i) for i in service_ids],
        external_ref=external_ref,
    )
    db.add(plan)
    db.flush()
    return plan


def validity_end(plan: Plan, starts_at: datetime) -> datetime:
    if plan.valid_until is not None:
        return plan.valid_until
    assert plan.validity_unit is not None and plan.validity_count is not None
    end: datetime = starts_at + _validity(plan.validity_unit, plan.validity_count)
    return end


def sell_membership(
    db: Session,
    *,
    plan_id: uuid.UUID,
    contact_id: uuid.UUID,
    starts_at: datetime | None = None,
    payment_method: PaymentMethod | None = None,
    payment_amount: str | None = None,
    payment_reference: str | None = None,
    external_ref: str | None = None,
) -> Membership:
    """Sell a plan: the membership and its plan order, in one transaction."""
    plan = get_or_404(db, Plan, plan_id, noun="plan")
    order = open_order(db, contact_id=contact_id, currency=plan.currency)
    membership = add_membership(
        db,
        plan=plan,
        contact_id=contact_id,
        order=order,
        starts_at=starts_at,
        external_ref=external_ref,
    )
    settle(db, order)
    if payment_method is not None and payment_amount is not None:
        record_payment(
            db,
            order=order,
            method=payment_method,
            amount=parse_amount(payment_amount, order.currency),
            reference=payment_reference,
        )
    return membership


def add_membership(
    db: Session,
    *,
    plan: Plan,
    contact_id: uuid.UUID,
    order: Order,
    starts_at: datetime | None = None,
    external_ref: str | None = None,
) -> Membership:
    """A new membership of `plan`, sold on a line of `order` (not settled here)."""
    get_or_404(db, Contact, contact_id, noun="contact")
    valid_from = starts_at or utc_now()
    membership = Membership(
        plan_id=plan.id,
        contact_id=contact_id,
        status=MembershipStatus.ACTIVE,
        valid_from=valid_from,
        valid_until=validity_end(plan, valid_from),
        credits_total=plan.credits,
        credits_left=plan.credits,
        order_id=order.id,
        external_ref=external_ref,
    )
    db.add(membership)
    db.flush()
    add_line(
        db,
        order=order,
        kind=LineKind.MEMBERSHIP_PURCHASE,
        description=plan.name,
        unit_price_minor=plan.price_minor,
        membership_id=membership.id,
    )
    record_event(
        db,
        type="membership.sold",
        subject_id=membership.id,
        data={
            "membership_id": str(membership.id),
            "plan_id": str(plan.id),
            "contact_id": str(contact_id),
            "order_id": str(order.id),
        },
    )
    return membership


def eligible_memberships(
    db: Session, charge: Charge
) -> list[tuple[Membership, Plan, Ineligibility | None]]:
    rows = db.execute(
        select(Membership, Plan)
        .join(Plan, Plan.id == Membership.plan_id)
        .where(Membership.contact_id == charge.contact_id)
        .order_by(Membership.valid_until, Membership.id)
    ).all()
    return [(m, p, why_not(m, p, charge)) for m, p in rows]


def choose_membership(
    db: Session, charge: Charge, membership_id: uuid.UUID | None
) -> uuid.UUID:
    """The named membership, or the only eligible one."""
    if membership_id is not None:
        return membership_id
    usable = [
        m.id for m, _p, reason in eligible_memberships(db, charge) if reason is None
    ]
    if not usable:
        raise MembershipNotEligible(
            "the contact has no membership that can pay for this"
        )
    if len(usable) > 1:
        raise MembershipChoiceNeeded(
            "several memberships can pay for this; send membership_id",
            membership_ids=[str(i) for i in usable],
        )
    return usable[0]


def redeem(
    db: Session,
    *,
    membership_id: uuid.UUID,
    charge: Charge,
    booking_id: uuid.UUID,
    line: OrderLine,
) -> Redemption:
    """Charge one booking to one membership (invariants 4 and 5).

    The membership row is locked first, so two redemptions racing for the
    last credit see each other's debit.
    """
    membership = lock_or_404(db, Membership, membership_id, noun="membership")
    plan = get_or_404(db, Plan, membership.plan_id, noun="plan")
    reason = why_not(membership, plan, charge)
    if reason is Ineligibility.EXPIRED:
        raise MembershipExpired("the membership is not valid at the session's time")
    if reason is Ineligibility.INSUFFICIENT_CREDITS:
        raise InsufficientCredits(
            f"{membership.credits_left} credits left, {charge.participants} needed",
            credits_left=membership.credits_left,
        )
    if reason is not None:
        raise MembershipNotEligible(
            f"this membership cannot pay for the booking: {reason.value}",
            reason=reason.value,
        )
    credits = credits_needed(plan, charge)
    race_window(db)
    if membership.credits_left is not None:
        membership.credits_left -= credits
    redemption = Redemption(
        membership_id=membership.id,
        booking_id=booking_id,
        credits=credits,
        status=RedemptionStatus.ACTIVE,
    )
    db.add(redemption)
    line.paid_by_membership_id = membership.id
    line.price_minor = 0
    db.flush()
    record_event(
        db,
        type="membership.redeemed",
        subject_id=membership.id,
        data={
            "membership_id": str(membership.id),
            "booking_id": str(booking_id),
            "credits": credits,
            "credits_left": membership.credits_left,
        },
    )
    return redemption


def reverse_redemption(db: Session, *, booking_id: uuid.UUID) -> Redemption | None:
    """Give the credit back when the booking it paid for is canceled."""
    redemption = db.scalar(
        select(Redemption)
        .where(Redemption.booking_id == booking_id)
        .where(Redemption.status == RedemptionStatus.ACTIVE)
    )
    if redemption is None:
        return None
    membership = lock_or_404(
        db, Membership, redemption.membership_id, noun="membership"
    )
    if membership.credits_left is not None:
        membership.credits_left += redemption.credits
    redemption.status = RedemptionStatus.REVERSED
    redemption.reversed_at = utc_now()
    db.flush()
    record_event(
        db,
        type="membership.redemption_reversed",
        subject_id=membership.id,
        data={
            "membership_id": str(membership.id),
            "booking_id": str(booking_id),
            "credits": redemption.credits,
            "credits_left": membership.credits_left,
        },
    )
    return redemption


def redemptions_of(db: Session, membership_id: uuid.UUID) -> list[Redemption]:
    return list(
        db.scalars(
            select(Redemption)
            .where(Redemption.membership_id == membership_id)
            .order_by(Redemption.created_at, Redemption.id)
        )
    )


def list_memberships(
    db: Session, *, contact_id: uuid.UUID | None, limit: int, after: uuid.UUID | None
) -> list[Membership]:
    query = select(Membership).order_by(Membership.id).limit(limit)
    if contact_id is not None:
        query = query.where(Membership.contact_id == contact_id)
    if after is not None:
        query = query.where(Membership.id > after)
    return list(db.scalars(query))
