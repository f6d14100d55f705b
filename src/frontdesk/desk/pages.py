"""The plain staff pages: a roster you can read at the desk."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(prefix="/desk", tags=["desk"], include_in_schema=False)

_ROSTER_PAGE = (Path(__file__).parent / "roster.html").read_text(encoding="utf-8")


@router.get("/", response_class=HTMLResponse)
def desk_home() -> str:
    return _ROSTER_PAGE
