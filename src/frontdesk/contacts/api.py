from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel

from frontdesk.api.deps import Db, require
from frontdesk.api.pagination import Cursor, Limit, after_id, next_cursor
from frontdesk.api.schemas import InputModel, Page
from frontdesk.api.timefields import InstantOut
from frontdesk.auth.scopes import Scope
from frontdesk.contacts.models import Contact
from frontdesk.contacts.service import create_contact, list_contacts
from frontdesk.lookup import get_or_404

router = APIRouter(prefix="/v1/contacts", tags=["contacts"])


class ContactIn(InputModel):
    first_name: str = ""
    last_name: str = ""
    email: str | None = None
    phone: str | None = None


class ContactOut(BaseModel):
    id: uuid.UUID
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    created_at: InstantOut


def contact_out(contact: Contact) -> ContactOut:
    return ContactOut(
        id=contact.id,
        first_name=contact.first_name,
        last_name=contact.last_name,
        email=contact.email,
        phone=contact.phone,
        created_at=contact.created_at,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(require(Scope.CONTACTS_MANAGE))],
)
def post_contact(body: ContactIn, db: Db) -> ContactOut:
    contact = create_contact(
        db,
        first_name=body.first_name,
        last_name=body.last_name,
        email=body.email,
        phone=body.phone,
    )
    return contact_out(contact)


@router.get("", dependencies=[Depends(require(Scope.BOOKINGS_READ))])
def get_contacts(db: Db, limit: Limit = 50, cursor: Cursor = None) -> Page[ContactOut]:
    rows = list_contacts(db, limit=limit, after=after_id(cursor))
    return Page(
        items=[contact_out(c) for c in rows],
        next_cursor=next_cursor(rows, limit, lambda c: [str(c.id)]),
    )


@router.get("/{contact_id}", dependencies=[Depends(require(Scope.BOOKINGS_READ))])
def get_contact(contact_id: uuid.UUID, db: Db) -> ContactOut:
    return contact_out(get_or_404(db, Contact, contact_id, noun="contact"))
