"""Whether a membership can pay for a booking, and if not, why not."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from frontdesk.plans.models import Membership, MembershipStatus, Plan, PlanKind


class Ineligibility(StrEnum):
    OTHER_CONTACT = "other_contact"
    NOT_ACTIVE = "not_active"
    NOT_STARTED = "not_started"
    EXPIRED = "membership_expired"
    SERVICE_NOT_COVERED = "service_not_covered"
    INSUFFICIENT_CREDITS = "insufficient_credits"


@dataclass(frozen=True)
class Charge:
    """What is to be paid: who, for which service, when, for how many."""

    contact_id: uuid.UUID
    service_id: uuid.UUID
    starts_at: datetime | None
    participants: int


def credits_needed(plan: Plan, charge: Charge) -> int:
    # A pack pays one credit per participant; an unlimited plan takes none.
    return charge.participants if plan.kind is PlanKind.PACK else 0


def why_not(membership: Membership, plan: Plan, charge: Charge) -> Ineligibility | None:
    if membership.contact_id != charge.contact_id:
        return Ineligibility.OTHER_CONTACT
    if membership.status == MembershipStatus.ENDED:
        return Ineligibility.EXPIRED
    if membership.status != MembershipStatus.ACTIVE:
        return Ineligibility.NOT_ACTIVE
    if charge.starts_at is not None:
        if charge.starts_at < membership.valid_from:
            return Ineligibility.NOT_STARTED
        if charge.starts_at >= membership.valid_until:
            return Ineligibility.EXPIRED
    if plan.service_ids is not None and str(charge.service_id) not in plan.service_ids:
        return Ineligibility.SERVICE_NOT_COVERED
    if (
        plan.kind is PlanKind.PACK
        and (membership.credits_left or 0) < charge.participants
    ):
        return Ineligibility.INSUFFICIENT_CREDITS
    return None
