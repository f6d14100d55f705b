from __future__ import annotations

from frontdesk.errors import Conflict, ValidationFailed


class MembershipNotEligible(Conflict):
    code = "membership_not_eligible"
    title = "The membership cannot pay for this booking"


class MembershipExpired(MembershipNotEligible):
    code = "membership_expired"
    title = "The membership has expired"


class InsufficientCredits(MembershipNotEligible):
    code = "insufficient_credits"
    title = "Not enough credits left"


class MembershipChoiceNeeded(ValidationFailed):
    code = "membership_choice_required"
    title = "Several memberships could pay; name one"


class AlreadyRedeemed(Conflict):
    code = "already_redeemed"
    title = "The booking is already paid by a plan"


class InvalidPlan(ValidationFailed):
    pass
