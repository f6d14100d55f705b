from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.catalog.models import PaymentOption, Service, ServiceType
from frontdesk.errors import ValidationFailed
from frontdesk.locations.models import Location
from frontdesk.lookup import get_or_404
from frontdesk.money import Money


def create_service(
    db: Session,
    *,
    name: str,
    type: ServiceType,
    price: Money,
    capacity: int,
    duration_minutes: int,
    location_id: uuid.UUID | None,
    payment_options: list[PaymentOption],
    policy: dict[str, Any] | None = None,
    external_ref: str | None = None,
) -> Service:
    if location_id is not None:
        get_or_404(db, Location, location_id, noun="location")
    if type is ServiceType.APPOINTMENT and capacity != 1:
        raise ValidationFailed("an APPOINTMENT has one client: capacity must be 1")
    if not payment_options:
        raise ValidationFailed("a service needs at least one payment option")
    service = Service(
        name=name,
        type=type,
        price_minor=price.minor,
        currency=price.currency,
        capacity=capacity,
        duration_minutes=duration_minutes,
        location_id=location_id,
        payment_options=sorted({o.value for o in payment_options}),
        policy=policy or {},
        external_ref=external_ref,
    )
    db.add(service)
    db.flush()
    return service


def list_services(db: Session) -> list[Service]:
    return list(db.scalars(select(Service).order_by(Service.created_at, Service.id)))
