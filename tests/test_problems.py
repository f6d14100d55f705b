"""Refusals are problem details with stable codes, and they write nothing."""

from __future__ import annotations

import uuid

import pytest

from tests.factories import book, make_contact, make_plan, make_service, make_session


def _problem(response, status, code):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code
    assert body["status"] == status
    assert body["title"] and body["detail"]
    return body


@pytest.mark.parametrize(
    "path",
    [
        "/v1/bookings/{id}",
        "/v1/orders/{id}",
        "/v1/sessions/{id}",
        "/v1/sessions/{id}/roster",
        "/v1/memberships/{id}",
        "/v1/services/{id}",
        "/v1/contacts/{id}",
        "/v1/plans/{id}",
        "/v1/locations/{id}",
    ],
)
def test_an_unknown_id_is_a_404_not_found(api, path):
    _problem(api.get(path.format(id=uuid.uuid4())), 404, "not_found")


def test_an_unknown_session_in_a_booking_is_a_404(api):
    contact = make_contact(api, email="x@example.test")
    response = book(api, session_id=str(uuid.uuid4()), contact_id=contact["id"])
    _problem(response, 404, "not_found")


@pytest.mark.parametrize(
    "amount,currency", [("15.001", "USD"), ("1.5", "JPY"), ("1.0001", "BHD")]
)
def test_an_amount_finer_than_its_currency_is_a_422(api, amount, currency):
    location = api.ok(
        "POST",
        "/v1/locations",
        {"name": "Studio", "timezone": "Asia/Tokyo"},
        status=201,
    )
    response = api.post(
        "/v1/services",
        {
            "name": "Yoga",
            "type": "CLASS",
            "price": {"amount": amount, "currency": currency},
            "capacity": 10,
            "duration_minutes": 60,
            "location_id": location["id"],
            "payment_options": ["OFFLINE"],
        },
    )
    body = _problem(response, 422, "validation_error")
    assert "decimals" in body["detail"]
    assert api.ok("GET", "/v1/services") == []


def test_whole_yen_and_three_decimal_dinars_are_taken_as_they_are(api):
    yen = make_service(api, price="1500", currency="JPY")
    dinar = make_service(api, price="1.250", currency="BHD")
    assert yen["price"] == {"amount": "1500", "currency": "JPY", "formatted": "¥1,500"}
    assert dinar["price"]["amount"] == "1.250"


def test_a_payment_amount_finer_than_the_order_currency_is_a_422(api):
    session = make_session(api)
    contact = make_contact(api, email="cents@example.test")
    booking = book(api, session_id=session["id"], contact_id=contact["id"]).json()
    response = api.post(
        f"/v1/orders/{booking['order_id']}/payments",
        {"method": "cash", "amount": "1.005"},
    )
    _problem(response, 422, "validation_error")
    assert api.ok("GET", f"/v1/orders/{booking['order_id']}")["payments"] == []


def test_a_booking_payment_finer_than_the_currency_refuses_the_whole_booking(api):
    session = make_session(api)
    contact = make_contact(api, email="whole@example.test")
    response = book(
        api,
        session_id=session["id"],
        contact_id=contact["id"],
        payment={"method": "cash", "amount": "15.001"},
    )
    _problem(response, 422, "validation_error")
    assert api.ok("GET", f"/v1/bookings?session_id={session['id']}")["items"] == []
    assert api.ok("GET", f"/v1/orders?contact_id={contact['id']}")["items"] == []


@pytest.mark.parametrize("participants", [0, -1])
def test_participants_below_one_is_a_422(api, participants):
    session = make_session(api)
    contact = make_contact(api, email="p@example.test")
    response = book(
        api,
        session_id=session["id"],
        contact_id=contact["id"],
        participants=participants,
    )
    _problem(response, 422, "validation_error")


def test_a_full_session_is_a_409_session_full_and_takes_no_seat(api):
    session = make_session(api, service_kwargs={"capacity": 3})
    first = make_contact(api, email="one@example.test")
    second = make_contact(api, email="two@example.test")
    assert (
        book(
            api, session_id=session["id"], contact_id=first["id"], participants=2
        ).status_code
        == 201
    )

    response = book(
        api, session_id=session["id"], contact_id=second["id"], participants=2
    )

    body = _problem(response, 409, "session_full")
    assert body["remaining"] == 1
    after = api.ok("GET", f"/v1/sessions/{session['id']}")
    assert (after["booked"], after["remaining"]) == (2, 1)


def test_override_availability_books_past_capacity_only_with_its_scope(api):
    from frontdesk.auth.scopes import Scope

    session = make_session(api, service_kwargs={"capacity": 1})
    a = make_contact(api, email="a@example.test")
    b = make_contact(api, email="b@example.test")
    book(api, session_id=session["id"], contact_id=a["id"])
    desk = api.new_key({Scope.BOOKINGS_CREATE, Scope.BOOKINGS_READ})
    over = {"skip_availability_validation": True}

    refused = book(
        api, session_id=session["id"], contact_id=b["id"], key=desk, flow_control=over
    )
    _problem(refused, 403, "missing_scope")
    allowed = book(api, session_id=session["id"], contact_id=b["id"], flow_control=over)
    assert allowed.status_code == 201
    assert api.ok("GET", f"/v1/sessions/{session['id']}")["booked"] == 2


def test_a_stale_revision_is_a_409_and_changes_nothing(api):
    session = make_session(api)
    contact = make_contact(api, email="rev@example.test")
    booking = book(api, session_id=session["id"], contact_id=contact["id"]).json()
    api.ok("PUT", f"/v1/bookings/{booking['id']}/attendance", {"status": "ATTENDED"})

    response = api.post(
        f"/v1/bookings/{booking['id']}/cancel", {"revision": booking["revision"]}
    )

    body = _problem(response, 409, "stale_revision")
    assert body["current_revision"] == booking["revision"] + 1
    assert api.ok("GET", f"/v1/bookings/{booking['id']}")["status"] == "CONFIRMED"


def test_a_payment_option_the_service_does_not_take_is_a_422(api):
    session = make_session(api, service_kwargs={"payment_options": ("ONLINE",)})
    contact = make_contact(api, email="opt@example.test")
    response = book(
        api,
        session_id=session["id"],
        contact_id=contact["id"],
        payment_option="OFFLINE",
    )
    _problem(response, 422, "payment_option_not_allowed")


def test_a_known_email_is_a_409_naming_the_existing_contact(api):
    first = make_contact(api, email="Same@Example.test")
    response = api.post(
        "/v1/contacts", {"first_name": "Other", "email": "same@example.TEST"}
    )
    body = _problem(response, 409, "contact_exists")
    assert body["contact_id"] == first["id"]


def test_a_request_without_a_key_is_a_401(api):
    response = api.http.get("/v1/bookings")
    _problem(response, 401, "unauthenticated")


def test_an_unknown_path_is_a_problem_too(api):
    _problem(api.get("/v1/nowhere"), 404, "not_found")


def test_a_plan_without_credits_or_validity_is_a_422(api):
    response = api.post(
        "/v1/plans",
        {
            "name": "Pack",
            "kind": "PACK",
            "price": {"amount": "10.00", "currency": "USD"},
            "validity": {"unit": "MONTH", "count": 1},
        },
    )
    _problem(response, 422, "validation_error")
    response = api.post(
        "/v1/plans",
        {
            "name": "Pack",
            "kind": "PACK",
            "credits": 5,
            "price": {"amount": "10.00", "currency": "USD"},
        },
    )
    _problem(response, 422, "validation_error")
    assert api.ok("GET", "/v1/plans") == []
    assert make_plan(api)["credits"] == 10


def test_a_series_without_an_end_is_a_422(api):
    service = make_service(api)
    response = api.post(
        f"/v1/services/{service['id']}/sessions",
        {
            "start": "2026-06-02T18:30:00-06:00",
            "end": "2026-06-02T19:30:00-06:00",
            "rrule": "FREQ=WEEKLY;BYDAY=TU",
        },
    )
    _problem(response, 422, "validation_error")
    response = api.post(
        f"/v1/services/{service['id']}/sessions",
        {
            "start": "2026-06-02T18:30:00-06:00",
            "end": "2026-06-02T19:30:00-06:00",
            "rrule": "FREQ=SOMETIMES;COUNT=2",
        },
    )
    _problem(response, 422, "validation_error")


def test_an_unknown_time_zone_is_a_422(api):
    response = api.post(
        "/v1/locations", {"name": "Nowhere", "timezone": "Mars/Olympus"}
    )
    _problem(response, 422, "validation_error")
