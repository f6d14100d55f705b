"""S04: a time without an offset is refused; every instant read carries one."""

from __future__ import annotations

import re

from tests.factories import book, make_contact, make_service

OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")


def test_a_session_start_without_an_offset_is_a_422_that_names_the_offset(api):
    service = make_service(api)
    response = api.post(
        f"/v1/services/{service['id']}/sessions",
        {"start": "2026-06-22T20:00:00", "end": "2026-06-22T21:00:00"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == "validation_error"
    assert "offset" in problem["detail"]
    assert api.ok("GET", f"/v1/sessions?service_id={service['id']}")["items"] == []


def test_a_session_filter_without_an_offset_is_a_422(api):
    response = api.get("/v1/sessions", params={"from": "2026-06-22T20:00:00"})
    assert response.status_code == 422
    assert "offset" in response.json()["detail"]


def _instants(value, key=""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _instants(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _instants(v, key)
    elif key in (
        "start",
        "end",
        "created_at",
        "recorded_at",
        "occurred_at",
        "valid_from",
        "valid_until",
        "at",
    ):
        yield key, value


def test_every_read_returns_instants_in_one_format_with_an_offset(api):
    service = make_service(api)
    session = api.ok(
        "POST",
        f"/v1/services/{service['id']}/sessions",
        {"start": "2026-06-22T20:00:00-06:00", "end": "2026-06-22T21:00:00-06:00"},
        status=201,
    )[0]
    contact = make_contact(api, email="s04@example.test")
    booking = book(api, session_id=session["id"], contact_id=contact["id"]).json()
    api.ok("PUT", f"/v1/bookings/{booking['id']}/attendance", {"status": "ATTENDED"})
    reads = [
        api.ok("GET", f"/v1/sessions/{session['id']}"),
        api.ok("GET", f"/v1/sessions?service_id={service['id']}"),
        api.ok("GET", f"/v1/bookings/{booking['id']}"),
        api.ok("GET", f"/v1/bookings?session_id={session['id']}"),
        api.ok("GET", f"/v1/sessions/{session['id']}/roster"),
        api.ok("GET", f"/v1/orders/{booking['order_id']}"),
        api.ok("GET", "/v1/events"),
    ]
    seen = [(key, value) for read in reads for key, value in _instants(read)]
    assert len(seen) > 10
    for key, value in seen:
        if value is not None:
            assert OFFSET.match(value), (key, value)
    session_starts = {v for k, v in seen if k == "start"}
    assert session_starts == {"2026-06-22T20:00:00-06:00"}
