from __future__ import annotations

import uuid

from pydantic import BaseModel, Field

from frontdesk.api.limits import MAX_PARTICIPANTS
from frontdesk.api.schemas import InputModel, MoneyOut
from frontdesk.api.timefields import InstantOut
from frontdesk.catalog.models import PaymentOption
from frontdesk.checkouts.models import ItemKind
from frontdesk.payments.models import PaymentMethod


class ItemIn(InputModel):
    kind: ItemKind = ItemKind.BOOKING
    session_id: uuid.UUID | None = None
    participants: int = Field(default=1, ge=1, le=MAX_PARTICIPANTS)
    payment_option: PaymentOption | None = None
    membership_id: uuid.UUID | None = None
    plan_id: uuid.UUID | None = None


class CheckoutIn(InputModel):
    contact_id: uuid.UUID
    items: list[ItemIn] = Field(min_length=1, max_length=200)


class CheckoutPaymentIn(InputModel):
    method: PaymentMethod
    amount: str


class CompleteIn(InputModel):
    payment: CheckoutPaymentIn | None = None


class ItemOut(BaseModel):
    position: int
    kind: str
    session_id: uuid.UUID | None
    participants: int
    payment_option: str | None
    membership_id: uuid.UUID | None
    plan_id: uuid.UUID | None
    unit_price: MoneyOut
    price: MoneyOut
    booking_id: uuid.UUID | None
    purchased_membership_id: uuid.UUID | None


class CheckoutOut(BaseModel):
    id: uuid.UUID
    contact_id: uuid.UUID
    status: str
    items: list[ItemOut]
    total: MoneyOut
    order_id: uuid.UUID | None
    created_at: InstantOut
    completed_at: InstantOut | None
