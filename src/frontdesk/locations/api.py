from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel

from frontdesk.api.deps import Db, require
from frontdesk.api.schemas import InputModel
from frontdesk.api.timefields import InstantOut
from frontdesk.auth.scopes import Scope
from frontdesk.locations.models import Location
from frontdesk.locations.service import create_location
from frontdesk.lookup import get_or_404

router = APIRouter(prefix="/v1/locations", tags=["locations"])


class LocationIn(InputModel):
    name: str
    address: str = ""
    timezone: str


class LocationOut(BaseModel):
    id: uuid.UUID
    name: str
    address: str
    timezone: str
    created_at: InstantOut


def _out(location: Location) -> LocationOut:
    return LocationOut(
        id=location.id,
        name=location.name,
        address=location.address,
        timezone=location.timezone,
        created_at=location.created_at,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(require(Scope.CATALOG_MANAGE))],
)
def post_location(body: LocationIn, db: Db) -> LocationOut:
    return _out(
        create_location(
            db, name=body.name, address=body.address, timezone=body.timezone
        )
    )


@router.get("/{location_id}", dependencies=[Depends(require(Scope.BOOKINGS_READ))])
def get_location(location_id: uuid.UUID, db: Db) -> LocationOut:
    return _out(get_or_404(db, Location, location_id, noun="location"))
