from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.contacts.errors import EmailAlreadyKnown
from frontdesk.contacts.models import Contact


def normalise_email(email: str | None) -> str | None:
    if email is None or not email.strip():
        return None
    return email.strip().lower()


def find_by_email(db: Session, email: str | None) -> Contact | None:
    normalised = normalise_email(email)
    if normalised is None:
        return None
    return db.scalar(select(Contact).where(Contact.email == normalised))


def create_contact(
    db: Session,
    *,
    first_name: str,
    last_name: str,
    email: str | None,
    phone: str | None,
    external_ref: str | None = None,
) -> Contact:
    existing = find_by_email(db, email)
    if existing is not None:
        raise EmailAlreadyKnown(
            "a contact with this email already exists",
            contact_id=str(existing.id),
        )
    contact = Contact(
        first_name=first_name,
        last_name=last_name,
        email=normalise_email(email),
        phone=phone or None,
        external_ref=external_ref,
    )
    db.add(contact)
    db.flush()
    return contact


def find_or_create_contact(
    db: Session,
    *,
    first_name: str,
    last_name: str,
    email: str | None,
    phone: str | None,
) -> Contact:
    return find_by_email(db, email) or create_contact(
        db, first_name=first_name, last_name=last_name, email=email, phone=phone
    )


def list_contacts(db: Session, *, limit: int, after: uuid.UUID | None) -> list[Contact]:
    query = select(Contact).order_by(Contact.id).limit(limit)
    if after is not None:
        query = query.where(Contact.id > after)
    return list(db.scalars(query))
