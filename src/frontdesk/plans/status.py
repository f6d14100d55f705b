"""A membership's status as of now: the period and the credits decide ENDED."""

from __future__ import annotations

from datetime import datetime

from frontdesk.plans.models import Membership, MembershipStatus

_HELD = frozenset(
    {MembershipStatus.PENDING, MembershipStatus.CANCELED, MembershipStatus.PAUSED}
)


def current_status(membership: Membership, now: datetime) -> MembershipStatus:
    # Derived on read, so a pass ends at the end of its period without a job
    # having to run, and comes back to ACTIVE if a cancellation returns a
    # credit to a pack that was used up.
    if membership.status in _HELD:
        return MembershipStatus(membership.status)
    if now >= membership.valid_until:
        return MembershipStatus.ENDED
    if membership.credits_total is not None and (membership.credits_left or 0) <= 0:
        return MembershipStatus.ENDED
    return MembershipStatus.ACTIVE
