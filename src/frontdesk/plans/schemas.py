from __future__ import annotations

import uuid

from pydantic import BaseModel, Field

from frontdesk.api.limits import MAX_CREDITS
from frontdesk.api.schemas import InputModel, MoneyIn, MoneyOut
from frontdesk.api.timefields import Instant, InstantOut
from frontdesk.payments.models import PaymentMethod
from frontdesk.plans.models import PlanKind, ValidityUnit


class ValidityIn(InputModel):
    unit: ValidityUnit
    count: int = Field(ge=1, le=1000)


class PlanIn(InputModel):
    name: str = Field(min_length=1)
    kind: PlanKind
    credits: int | None = Field(default=None, ge=1, le=MAX_CREDITS)
    price: MoneyIn
    validity: ValidityIn | None = None
    valid_until: Instant | None = None
    service_ids: list[uuid.UUID] | None = None


class PlanOut(BaseModel):
    id: uuid.UUID
    name: str
    kind: str
    credits: int | None
    price: MoneyOut
    validity: ValidityIn | None
    valid_until: InstantOut | None
    service_ids: list[uuid.UUID] | None


class MembershipPaymentIn(InputModel):
    method: PaymentMethod
    amount: str
    reference: str | None = None


class MembershipIn(InputModel):
    plan_id: uuid.UUID
    contact_id: uuid.UUID
    starts_at: Instant | None = None
    payment: MembershipPaymentIn | None = None


class LedgerEntryOut(BaseModel):
    entry: str  # DEBIT or REVERSAL
    booking_id: uuid.UUID
    credits: int
    at: InstantOut


class MembershipOut(BaseModel):
    id: uuid.UUID
    plan_id: uuid.UUID
    plan_name: str
    contact_id: uuid.UUID
    order_id: uuid.UUID | None
    status: str
    valid_from: InstantOut
    valid_until: InstantOut
    credits_total: int | None
    credits_left: int | None
    ledger: list[LedgerEntryOut]
