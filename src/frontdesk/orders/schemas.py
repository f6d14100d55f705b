from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, Field

from frontdesk.api.schemas import InputModel, MoneyOut
from frontdesk.api.timefields import InstantOut
from frontdesk.payments.models import PaymentMethod


class LineOut(BaseModel):
    id: uuid.UUID
    kind: str
    description: str
    booking_id: uuid.UUID | None
    membership_id: uuid.UUID | None
    paid_by_membership_id: uuid.UUID | None
    quantity: int
    unit_price: MoneyOut
    price: MoneyOut
    voided: bool


class PriceSummary(BaseModel):
    subtotal: MoneyOut
    discount: MoneyOut
    tax: MoneyOut
    total: MoneyOut


class BalanceOut(BaseModel):
    total: MoneyOut
    paid: MoneyOut
    refunded: MoneyOut
    due: MoneyOut


class PaymentOut(BaseModel):
    id: uuid.UUID
    method: str
    amount: MoneyOut
    status: str
    reference: str | None
    created_at: InstantOut


class RefundOut(BaseModel):
    id: uuid.UUID
    payment_id: uuid.UUID
    amount: MoneyOut
    reason: str | None
    created_at: InstantOut


class ActivityOut(BaseModel):
    kind: str
    details: dict[str, Any]
    created_at: InstantOut


class OrderOut(BaseModel):
    id: uuid.UUID
    contact_id: uuid.UUID
    currency: str
    status: str
    payment_status: str
    lines: list[LineOut]
    price_summary: PriceSummary
    balance: BalanceOut
    payments: list[PaymentOut]
    refunds: list[RefundOut]
    activities: list[ActivityOut]
    created_at: InstantOut


class PaymentIn(InputModel):
    method: PaymentMethod
    amount: str = Field(examples=["15.00"])
    reference: str | None = None


class MarkPaidIn(InputModel):
    method: PaymentMethod = PaymentMethod.CASH
    reference: str | None = None


class RefundIn(InputModel):
    amount: str
    payment_id: uuid.UUID | None = None
    reason: str | None = None


class BulkMarkPaidIn(InputModel):
    order_ids: list[uuid.UUID] = Field(min_length=1, max_length=500)
    method: PaymentMethod = PaymentMethod.CASH
    reference: str | None = None
