from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, status

from frontdesk.api.deps import Db, require
from frontdesk.api.schemas import MoneyOut
from frontdesk.auth.scopes import Scope
from frontdesk.catalog.models import Service
from frontdesk.catalog.schemas import ServiceIn, ServiceOut
from frontdesk.catalog.service import create_service, list_services
from frontdesk.errors import ValidationFailed
from frontdesk.lookup import get_or_404
from frontdesk.money import Money, MoneyError
from frontdesk.sessions.api import present_sessions
from frontdesk.sessions.schemas import SessionOut, SessionsIn
from frontdesk.sessions.service import schedule_sessions

router = APIRouter(prefix="/v1/services", tags=["services"])

CatalogManager = Depends(require(Scope.CATALOG_MANAGE))


def service_out(service: Service) -> ServiceOut:
    return ServiceOut(
        id=service.id,
        name=service.name,
        type=service.type,
        price=MoneyOut.of(service.price),
        capacity=service.capacity,
        duration_minutes=service.duration_minutes,
        location_id=service.location_id,
        payment_options=service.payment_options,
        policy=service.policy,
    )


def parse_price(amount: str, currency: str) -> Money:
    try:
        return Money.parse(amount, currency)
    except MoneyError as exc:
        raise ValidationFailed(str(exc)) from exc


@router.post("", status_code=status.HTTP_201_CREATED, dependencies=[CatalogManager])
def post_service(body: ServiceIn, db: Db) -> ServiceOut:
    price = parse_price(body.price.amount, body.price.currency)
    if price.minor < 0:
        raise ValidationFailed("a price cannot be negative")
    service = create_service(
        db,
        name=body.name,
        type=body.type,
        price=price,
        capacity=body.capacity,
        duration_minutes=body.duration_minutes,
        location_id=body.location_id,
        payment_options=body.payment_options,
        policy=body.policy.model_dump(exclude_none=True),
    )
    return service_out(service)


@router.get("", dependencies=[Depends(require(Scope.BOOKINGS_READ))])
def get_services(db: Db) -> list[ServiceOut]:
    return [service_out(s) for s in list_services(db)]


@router.get("/{service_id}", dependencies=[Depends(require(Scope.BOOKINGS_READ))])
def get_service(service_id: uuid.UUID, db: Db) -> ServiceOut:
    return service_out(get_or_404(db, Service, service_id, noun="service"))


@router.post(
    "/{service_id}/sessions",
    status_code=status.HTTP_201_CREATED,
    dependencies=[CatalogManager],
)
def post_sessions(service_id: uuid.UUID, body: SessionsIn, db: Db) -> list[SessionOut]:
    sessions = schedule_sessions(
        db,
        service_id=service_id,
        start=body.start,
        end=body.end,
        rrule=body.rrule,
        timezone=body.timezone,
        capacity=body.capacity,
        staff_member_id=body.staff_member_id,
    )
    return present_sessions(db, sessions)
