"""A class sheet: what staff wrote down per person after the class."""

from __future__ import annotations

import csv
import io
import uuid
from enum import StrEnum

from pydantic import BaseModel, Field, ValidationError, model_validator

from frontdesk.errors import ValidationFailed


class SheetPayment(StrEnum):
    CASH = "cash"
    CHECK = "check"
    BANK_TRANSFER = "bank_transfer"
    CARD_OFFLINE = "card_offline"
    GIFT_CARD = "gift_card"
    PLAN = "plan"
    UNPAID = "unpaid"


class SheetRow(BaseModel):
    booking_id: uuid.UUID | None = None
    contact_email: str | None = None
    payment: SheetPayment | None = None
    membership_id: uuid.UUID | None = None
    attended: bool | None = None
    attendees: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _names_someone(self) -> SheetRow:
        if self.booking_id is None and not self.contact_email:
            raise ValueError("a row needs booking_id or contact_email")
        return self


class Sheet(BaseModel):
    rows: list[SheetRow] = Field(min_length=1, max_length=1000)
    dry_run: bool = False


CSV_COLUMNS = (
    "booking_id",
    "contact_email",
    "payment",
    "membership_id",
    "attended",
    "attendees",
)


def sheet_from_csv(text: str, *, dry_run: bool) -> Sheet:
    """Read a CSV class sheet; blank cells mean "no change"."""
    reader = csv.DictReader(io.StringIO(text))
    unknown = set(reader.fieldnames or ()) - set(CSV_COLUMNS)
    if unknown:
        raise ValidationFailed(f"unknown CSV columns: {', '.join(sorted(unknown))}")
    rows = []
    for number, record in enumerate(reader, start=2):
        cleaned = {k: v.strip() for k, v in record.items() if v and v.strip()}
        if "attended" in cleaned:
            cleaned["attended"] = cleaned["attended"].lower() in (
                "yes",
                "true",
                "1",
                "y",
            )
        if "payment" in cleaned:
            cleaned["payment"] = cleaned["payment"].lower()
        try:
            rows.append(SheetRow.model_validate(cleaned))
        except ValidationError as exc:
            raise ValidationFailed(
                f"CSV line {number}: {exc.errors()[0]['msg']}"
            ) from exc
    try:
        return Sheet(rows=rows, dry_run=dry_run)
    except ValidationError as exc:
        raise ValidationFailed(
            f"the sheet is not usable: {exc.errors()[0]['msg']}"
        ) from exc
