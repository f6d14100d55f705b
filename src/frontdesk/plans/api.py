from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.api.deps import Db, require
from frontdesk.api.pagination import Cursor, Limit, after_id, next_cursor
from frontdesk.api.schemas import MoneyOut, Page
from frontdesk.auth.scopes import Scope
from frontdesk.catalog.api import parse_price
from frontdesk.clock import utc_now
from frontdesk.lookup import get_or_404
from frontdesk.plans import service
from frontdesk.plans.models import Membership, Plan
from frontdesk.plans.schemas import (
    LedgerEntryOut,
    MembershipIn,
    MembershipOut,
    PlanIn,
    PlanOut,
    ValidityIn,
)
from frontdesk.plans.status import current_status

router = APIRouter(tags=["plans"])

PlanManager = Depends(require(Scope.PLANS_MANAGE))
Reader = Depends(require(Scope.BOOKINGS_READ))


def plan_out(plan: Plan) -> PlanOut:
    return PlanOut(
        id=plan.id,
        name=plan.name,
        kind=plan.kind,
        credits=plan.credits,
        price=MoneyOut.of(plan.price),
        validity=None
        if plan.validity_unit is None or plan.validity_count is None
        else ValidityIn(unit=plan.validity_unit, count=plan.validity_count),
        valid_until=plan.valid_until,
        service_ids=None
        if plan.service_ids is None
        else [uuid.UUID(i) for i in plan.service_ids],
    )


def membership_out(db: Session, membership: Membership) -> MembershipOut:
    plan = get_or_404(db, Plan, membership.plan_id, noun="plan")
    ledger: list[LedgerEntryOut] = []
    for r in service.redemptions_of(db, membership.id):
        ledger.append(
            LedgerEntryOut(
                entry="DEBIT",
                booking_id=r.booking_id,
                credits=r.credits,
                at=r.created_at,
            )
        )
        if r.reversed_at is not None:
            ledger.append(
                LedgerEntryOut(
                    entry="REVERSAL",
                    booking_id=r.booking_id,
                    credits=r.credits,
                    at=r.reversed_at,
                )
            )
    ledger.sort(key=lambda e: e.at)
    return MembershipOut(
        id=membership.id,
        plan_id=plan.id,
        plan_name=plan.name,
        contact_id=membership.contact_id,
        order_id=membership.order_id,
        status=current_status(membership, utc_now()),
        valid_from=membership.valid_from,
        valid_until=membership.valid_until,
        credits_total=membership.credits_total,
        credits_left=membership.credits_left,
        ledger=ledger,
    )


@router.post(
    "/v1/plans", status_code=status.HTTP_201_CREATED, dependencies=[PlanManager]
)
def post_plan(body: PlanIn, db: Db) -> PlanOut:
    plan = service.create_plan(
        db,
        name=body.name,
        kind=body.kind,
        price=parse_price(body.price.amount, body.price.currency),
        credits=body.credits,
        validity_unit=body.validity.unit if body.validity else None,
        validity_count=body.validity.count if body.validity else None,
        valid_until=body.valid_until,
        service_ids=body.service_ids,
    )
    return plan_out(plan)


@router.get("/v1/plans", dependencies=[Reader])
def get_plans(db: Db) -> list[PlanOut]:
    return [
        plan_out(p) for p in db.scalars(select(Plan).order_by(Plan.created_at, Plan.id))
    ]


@router.get("/v1/plans/{plan_id}", dependencies=[Reader])
def get_plan(plan_id: uuid.UUID, db: Db) -> PlanOut:
    return plan_out(get_or_404(db, Plan, plan_id, noun="plan"))


@router.post(
    "/v1/memberships", status_code=status.HTTP_201_CREATED, dependencies=[PlanManager]
)
def post_membership(body: MembershipIn, db: Db) -> MembershipOut:
    membership = service.sell_membership(
        db,
        plan_id=body.plan_id,
        contact_id=body.contact_id,
        starts_at=body.starts_at,
        payment_method=body.payment.method if body.payment else None,
        payment_amount=body.payment.amount if body.payment else None,
        payment_reference=body.payment.reference if body.payment else None,
    )
    return membership_out(db, membership)


@router.get("/v1/memberships", dependencies=[Reader])
def get_memberships(
    db: Db,
    contact_id: uuid.UUID | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[MembershipOut]:
    rows = service.list_memberships(
        db, contact_id=contact_id, limit=limit, after=after_id(cursor)
    )
    return Page(
        items=[membership_out(db, m) for m in rows],
        next_cursor=next_cursor(rows, limit, lambda m: [str(m.id)]),
    )


@router.get("/v1/memberships/{membership_id}", dependencies=[Reader])
def get_membership(membership_id: uuid.UUID, db: Db) -> MembershipOut:
    return membership_out(
        db, get_or_404(db, Membership, membership_id, noun="membership")
    )
