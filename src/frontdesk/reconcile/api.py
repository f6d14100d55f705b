from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ValidationError

from frontdesk.api.deps import Db, require
from frontdesk.auth.scopes import Scope
from frontdesk.errors import ValidationFailed
from frontdesk.reconcile.service import reconcile
from frontdesk.reconcile.sheet import Sheet, decode_csv, sheet_from_csv

router = APIRouter(prefix="/v1/sessions", tags=["sessions"])

Reconciler = Depends(
    require(
        Scope.BOOKINGS_MANAGE_PAYMENTS, Scope.PAYMENTS_COLLECT, Scope.ATTENDANCE_SET
    )
)


class RowOutcomeOut(BaseModel):
    booking_id: uuid.UUID
    changes: list[str]


class ReconcileOut(BaseModel):
    session_id: uuid.UUID
    dry_run: bool
    rows: list[RowOutcomeOut]
    changed: int


async def _read_sheet(request: Request, dry_run: bool = False) -> Sheet:
    raw = await request.body()
    if request.headers.get("content-type", "").startswith("text/csv"):
        return sheet_from_csv(decode_csv(raw), dry_run=dry_run)
    try:
        sheet = Sheet.model_validate_json(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise ValidationFailed(f"{where}: {first['msg']}") from exc
    return sheet.model_copy(update={"dry_run": sheet.dry_run or dry_run})


SheetDep = Annotated[Sheet, Depends(_read_sheet)]

_SHEET_DOC = {
    "content": {
        "application/json": {"schema": Sheet.model_json_schema()},
        "text/csv": {
            "schema": {
                "type": "string",
                "example": "booking_id,payment,attended\n<id>,cash,yes\n",
            }
        },
    }
}


@router.post(
    "/{session_id}/reconcile",
    dependencies=[Reconciler],
    openapi_extra={"requestBody": _SHEET_DOC},
)
def post_reconcile(session_id: uuid.UUID, sheet: SheetDep, db: Db) -> ReconcileOut:
    """Apply a class sheet: per person, paid cash / by plan / unpaid, came or not.

    Send JSON `{rows: [...], dry_run}` or a CSV with the columns
    booking_id, contact_email, payment, membership_id, attended, attendees.
    """
    outcomes = reconcile(db, session_id=session_id, sheet=sheet)
    return ReconcileOut(
        session_id=session_id,
        dry_run=sheet.dry_run,
        rows=[
            RowOutcomeOut(booking_id=o.booking_id, changes=o.changes) for o in outcomes
        ],
        changed=sum(1 for o in outcomes if o.changes),
    )
