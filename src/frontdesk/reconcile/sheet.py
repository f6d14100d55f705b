"""A class sheet: what staff wrote down per person after the class."""

from __future__ import annotations

import csv
import io
import uuid
from enum import StrEnum

from pydantic import Field, ValidationError, model_validator

from frontdesk.api.schemas import InputModel
from frontdesk.errors import ValidationFailed


class SheetPayment(StrEnum):
    CASH = "cash"
    CHECK = "check"
    BANK_TRANSFER = "bank_transfer"
    CARD_OFFLINE = "card_offline"
    GIFT_CARD = "gift_card"
    PLAN = "plan"
    UNPAID = "unpaid"


class SheetRow(InputModel):
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


class Sheet(InputModel):
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


_YES = frozenset({"yes", "y", "true", "1", "x"})
_NO = frozenset({"no", "n", "false", "0"})


def _yes_or_no(cell: str) -> bool:
    """An attended cell must say yes or no; a guess would book a no-show."""
    if cell.lower() in _YES:
        return True
    if cell.lower() in _NO:
        return False
    raise ValueError(f"attended is {cell!r}: write yes or no")


def decode_csv(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed("the CSV sheet must be UTF-8 text") from exc


def sheet_from_csv(text: str, *, dry_run: bool) -> Sheet:
    """Read a CSV class sheet; blank cells mean "no change"."""
    reader = csv.DictReader(io.StringIO(text))
    unknown = set(reader.fieldnames or ()) - set(CSV_COLUMNS)
    if unknown:
        raise ValidationFailed(f"unknown CSV columns: {', '.join(sorted(unknown))}")
    rows = [_row(number, record) for number, record in enumerate(reader, start=2)]
    try:
        return Sheet(rows=rows, dry_run=dry_run)
    except ValidationError as exc:
        message = exc.errors()[0]["msg"]
        raise ValidationFailed(f"the sheet is not usable: {message}") from exc


def _row(number: int, record: dict[str | None, object]) -> SheetRow:
    if None in record:
        raise ValidationFailed(f"CSV line {number}: more cells than columns")
    cleaned: dict[str, object] = {
        str(k): str(v).strip() for k, v in record.items() if v and str(v).strip()
    }
    try:
        if "attended" in cleaned:
            cleaned["attended"] = _yes_or_no(str(cleaned["attended"]))
        if "payment" in cleaned:
            cleaned["payment"] = str(cleaned["payment"]).lower()
        return SheetRow.model_validate(cleaned)
    except ValidationError as exc:
        message = exc.errors()[0]["msg"]
        raise ValidationFailed(f"CSV line {number}: {message}") from exc
    except ValueError as exc:
        raise ValidationFailed(f"CSV line {number}: {exc}") from exc
