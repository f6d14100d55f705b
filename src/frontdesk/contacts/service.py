from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
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
    contact = _insert(
        db,
        Contact(
            first_name=first_name,
            last_name=last_name,
            email=normalise_email(email),
            phone=phone or None,
            external_ref=external_ref,
        ),
    )
    if contact is None:
        existing = find_by_email(db, email)
        raise EmailAlreadyKnown(
            "a contact with this email already exists",
            contact_id=str(existing.id) if existing else None,
        )
    return contact


def find_or_create_contact(
    db: Session,
    *,
    first_name: str,
    last_name: str,
    email: str | None,
    phone: str | None,
) -> Contact:
    existing = find_by_email(db, email)
    if existing is not None:
        return existing
    contact = _insert(
        db,
        Contact(
            first_name=first_name,
            last_name=last_name,
            email=normalise_email(email),
            phone=phone or None,
        ),
    )
    if contact is None:
        # Someone else created the same person a moment ago: that is the one.
        contact = find_by_email(db, email)
        assert contact is not None, "the unique email refused an invisible row"
    return contact


def _insert(db: Session, contact: Contact) -> Contact | None:
    """Insert, or None if the email was taken by a transaction that just won.

    The unique index on email is the arbiter; the savepoint keeps the rest of
    the caller's transaction intact when it says no.
    """
    if contact.email is not None and find_by_email(db, contact.email) is not None:
        return None
    savepoint = db.begin_nested()
    db.add(contact)
    try:
        db.flush()
    except IntegrityError:
        savepoint.rollback()
        return None
    savepoint.commit()
    return contact


def list_contacts(db: Session, *, limit: int, after: uuid.UUID | None) -> list[Contact]:
    query = select(Contact).order_by(Contact.id).limit(limit)
    if after is not None:
        query = query.where(Contact.id > after)
    return list(db.scalars(query))
