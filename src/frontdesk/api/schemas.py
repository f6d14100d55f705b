"""Shapes shared by every resource: money, pages, problems."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from frontdesk.money import Money

Item = TypeVar("Item")


class InputModel(BaseModel):
    """A request body: a field the API does not know is refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


class MoneyOut(BaseModel):
    amount: str = Field(examples=["15.00"])
    currency: str = Field(examples=["USD"])
    formatted: str = Field(examples=["$15.00"])

    @classmethod
    def of(cls, money: Money) -> MoneyOut:
        return cls(
            amount=money.amount_string(),
            currency=money.currency,
            formatted=money.formatted(),
        )


class MoneyIn(InputModel):
    amount: str = Field(examples=["15.00"], description="a decimal string")
    currency: str = Field(examples=["USD"], min_length=3, max_length=3)


class Page(BaseModel, Generic[Item]):
    items: list[Item]
    next_cursor: str | None = None


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    code: str
