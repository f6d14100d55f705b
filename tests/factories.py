"""Factory functions with keyword arguments: each makes one thing over the API."""

from __future__ import annotations

from typing import Any

from tests.client import ApiClient


def make_location(
    api: ApiClient, *, name: str = "Reservoir", timezone: str = "America/Denver"
) -> dict[str, Any]:
    return api.ok(
        "POST",
        "/v1/locations",
        {"name": name, "address": "1 Shore Rd", "timezone": timezone},
        status=201,
    )


def make_service(
    api: ApiClient,
    *,
    name: str = "Open Water Swim",
    type: str = "CLASS",
    price: str = "15.00",
    currency: str = "USD",
    capacity: int = 120,
    duration_minutes: int = 60,
    location_id: str | None = None,
    payment_options: tuple[str, ...] = (
        "OFFLINE",
        "ONLINE",
        "MEMBERSHIP",
        "MEMBERSHIP_OFFLINE",
    ),
    policy: dict[str, Any] | None = None,
) -> dict[str, Any]:
    if location_id is None:
        location_id = make_location(api)["id"]
    return api.ok(
        "POST",
        "/v1/services",
        {
            "name": name,
            "type": type,
            "price": {"amount": price, "currency": currency},
            "capacity": capacity,
            "duration_minutes": duration_minutes,
            "location_id": location_id,
            "payment_options": list(payment_options),
            "policy": policy or {},
        },
        status=201,
    )


def make_sessions(
    api: ApiClient,
    *,
    service_id: str,
    start: str,
    end: str,
    rrule: str | None = None,
    capacity: int | None = None,
) -> list[dict[str, Any]]:
    body: dict[str, Any] = {"start": start, "end": end}
    if rrule is not None:
        body["rrule"] = rrule
    if capacity is not None:
        body["capacity"] = capacity
    return api.ok("POST", f"/v1/services/{service_id}/sessions", body, status=201)  # type: ignore[no-any-return]


def make_session(api: ApiClient, **kwargs: Any) -> dict[str, Any]:
    service = kwargs.pop("service", None) or make_service(
        api, **kwargs.pop("service_kwargs", {})
    )
    start = kwargs.pop("start", "2026-07-11T18:30:00-06:00")
    end = kwargs.pop("end", "2026-07-11T19:30:00-06:00")
    return make_sessions(api, service_id=service["id"], start=start, end=end, **kwargs)[
        0
    ]


def make_contact(
    api: ApiClient,
    *,
    first_name: str = "Ada",
    last_name: str = "Swim",
    email: str | None = None,
) -> dict[str, Any]:
    return api.ok(
        "POST",
        "/v1/contacts",
        {"first_name": first_name, "last_name": last_name, "email": email},
        status=201,
    )


def make_plan(
    api: ApiClient,
    *,
    name: str = "10-Swim Pass",
    kind: str = "PACK",
    credits: int | None = 10,
    price: str = "120.00",
    currency: str = "USD",
    validity: dict[str, Any] | None = None,
    valid_until: str | None = None,
    service_ids: list[str] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": name,
        "kind": kind,
        "price": {"amount": price, "currency": currency},
    }
    if credits is not None:
        body["credits"] = credits
    if valid_until is not None:
        body["valid_until"] = valid_until
    else:
        body["validity"] = validity or {"unit": "MONTH", "count": 6}
    if service_ids is not None:
        body["service_ids"] = service_ids
    return api.ok("POST", "/v1/plans", body, status=201)


def sell(
    api: ApiClient,
    *,
    plan_id: str,
    contact_id: str,
    starts_at: str = "2026-06-01T00:00:00-06:00",
) -> dict[str, Any]:
    return api.ok(
        "POST",
        "/v1/memberships",
        {"plan_id": plan_id, "contact_id": contact_id, "starts_at": starts_at},
        status=201,
    )


def book(
    api: ApiClient,
    *,
    session_id: str,
    contact_id: str,
    payment_option: str = "OFFLINE",
    participants: int = 1,
    key: str | None = None,
    **extra: Any,
) -> Any:
    body = {
        "session_id": session_id,
        "contact_id": contact_id,
        "payment_option": payment_option,
        "participants": participants,
        **extra,
    }
    return api.post("/v1/bookings", body, key=key)
