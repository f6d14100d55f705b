from __future__ import annotations

from sqlalchemy.orm import Session

from frontdesk.staff.models import StaffMember


def create_staff_member(
    db: Session, *, name: str, email: str | None = None, external_ref: str | None = None
) -> StaffMember:
    member = StaffMember(name=name, email=email, external_ref=external_ref)
    db.add(member)
    db.flush()
    return member
