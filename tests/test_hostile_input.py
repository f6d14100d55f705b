"""Input a hostile or careless client sends: refused cleanly, nothing written.

Each case here was found by trying to break the API from a fresh clone.
"""

from __future__ import annotations

import pytest

from frontdesk.db.unit_of_work import unit_of_work
from frontdesk.invariants.checks import check_all
from tests.factories import (
    book,
    make_contact,
    make_plan,
    make_service,
    make_session,
    make_sessions,
    sell,
)


def _refused(response, status, code):
    assert response.status_code == status, response.text
    assert response.json()["code"] == code
    return response.json()


def test_a_field_the_api_does_not_know_is_refused_not_ignored(api):
    session = make_session(api)
    contact = make_contact(api, email="extra@example.test")
    booking = book(api, session_id=session["id"], contact_id=contact["id"]).json()
    response = api.post(
        f"/v1/orders/{booking['order_id']}/payments",
        {"method": "cash", "amount": "5.00", "currency": "EUR"},
    )
    _refused(response, 422, "validation_error")
    patch = api.patch(f"/v1/sessions/{session['id']}", {"status": "CANCELED"})
    _refused(patch, 422, "validation_error")
    assert api.ok("GET", f"/v1/sessions/{session['id']}")["status"] == "SCHEDULED"


@pytest.mark.parametrize(
    "field,value",
    [
        ("capacity", 10**20),
        ("capacity", 2**63),
        ("duration_minutes", 10**9),
    ],
)
def test_absurd_counts_are_a_422_not_an_overflow(api, field, value):
    location = api.ok(
        "POST", "/v1/locations", {"name": "L", "timezone": "UTC"}, status=201
    )
    body = {
        "name": "Yoga",
        "type": "CLASS",
        "price": {"amount": "10.00", "currency": "USD"},
        "capacity": 10,
        "duration_minutes": 60,
        "location_id": location["id"],
        "payment_options": ["OFFLINE"],
        field: value,
    }
    _refused(api.post("/v1/services", body), 422, "validation_error")


@pytest.mark.parametrize("amount", ["1e400", "99999999999999999999999.00", "1e30"])
def test_absurd_amounts_are_a_422(api, amount):
    session = make_session(api)
    contact = make_contact(api, email="huge@example.test")
    response = book(
        api,
        session_id=session["id"],
        contact_id=contact["id"],
        payment={"method": "cash", "amount": amount},
    )
    _refused(response, 422, "validation_error")


@pytest.mark.parametrize("currency", ["XXX", "XTS"])
def test_no_currency_and_test_currency_codes_are_refused(api, currency):
    location = api.ok(
        "POST", "/v1/locations", {"name": "L", "timezone": "UTC"}, status=201
    )
    response = api.post(
        "/v1/services",
        {
            "name": "Yoga",
            "type": "CLASS",
            "price": {"amount": "10", "currency": currency},
            "capacity": 10,
            "duration_minutes": 60,
            "location_id": location["id"],
            "payment_options": ["OFFLINE"],
        },
    )
    _refused(response, 422, "validation_error")


@pytest.mark.parametrize(
    "start", ["9999-12-31T23:00:00-07:00", "0001-01-01T00:00:00+01:00"]
)
def test_times_far_outside_any_season_are_a_422(api, start):
    service = make_service(api)
    response = api.post(
        f"/v1/services/{service['id']}/sessions",
        {"start": start, "end": start},
    )
    _refused(response, 422, "validation_error")


def test_a_membership_starting_in_year_9999_is_a_422(api):
    contact = make_contact(api, email="far@example.test")
    plan = make_plan(api, validity={"unit": "YEAR", "count": 1000})
    response = api.post(
        "/v1/memberships",
        {
            "plan_id": plan["id"],
            "contact_id": contact["id"],
            "starts_at": "9999-12-31T00:00:00+00:00",
        },
    )
    _refused(response, 422, "validation_error")


def test_text_that_is_not_unicode_is_a_422_and_writes_nothing(api):
    response = api.call(
        "POST",
        "/v1/contacts",
        content=b'{"first_name": "\\ud800", "email": "bad@example.test"}',
        headers={
            "Authorization": f"Bearer {api.owner_key}",
            "Content-Type": "application/json",
        },
    )
    _refused(response, 422, "validation_error")
    assert api.ok("GET", "/v1/contacts")["items"] == []


def test_a_rule_may_not_override_the_session_start(api):
    service = make_service(api)
    response = api.post(
        f"/v1/services/{service['id']}/sessions",
        {
            "start": "2027-06-22T20:00:00-06:00",
            "end": "2027-06-22T21:00:00-06:00",
            "rrule": "FREQ=WEEKLY;COUNT=2\nDTSTART:19000101T000000Z",
        },
    )
    _refused(response, 422, "validation_error")


@pytest.mark.parametrize(
    "rule", ["FREQ=WEEKLY;COUNT=0", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=31;COUNT=3"]
)
def test_a_rule_that_makes_no_session_is_a_422(api, rule):
    service = make_service(api)
    response = api.post(
        f"/v1/services/{service['id']}/sessions",
        {
            "start": "2027-06-22T20:00:00-06:00",
            "end": "2027-06-22T21:00:00-06:00",
            "rrule": rule,
        },
    )
    _refused(response, 422, "validation_error")
    assert api.ok("GET", f"/v1/sessions?service_id={service['id']}")["items"] == []


@pytest.mark.parametrize(
    "policy",
    [
        {"max_participants_per_booking": "abc"},
        {"max_participants_per_booking": -1},
        {"requires_approval": "no"},
        {"waitlist": {"enabled": True, "capacity": -3}},
    ],
)
def test_a_service_policy_is_checked_when_the_service_is_made(api, policy):
    location = api.ok(
        "POST", "/v1/locations", {"name": "L", "timezone": "UTC"}, status=201
    )
    response = api.post(
        "/v1/services",
        {
            "name": "Yoga",
            "type": "CLASS",
            "price": {"amount": "10.00", "currency": "USD"},
            "capacity": 10,
            "duration_minutes": 60,
            "location_id": location["id"],
            "payment_options": ["OFFLINE"],
            "policy": policy,
        },
    )
    _refused(response, 422, "validation_error")


def test_a_plan_for_a_service_that_does_not_exist_is_a_404(api):
    response = api.post(
        "/v1/plans",
        {
            "name": "Pack",
            "kind": "PACK",
            "credits": 5,
            "price": {"amount": "50.00", "currency": "USD"},
            "validity": {"unit": "MONTH", "count": 1},
            "service_ids": ["00000000-0000-4000-8000-000000000000"],
        },
    )
    _refused(response, 404, "not_found")


def test_a_refund_spreads_over_instalments_and_names_only_this_orders_payments(api):
    session = make_session(api)
    contact = make_contact(api, email="instal@example.test")
    booking = book(api, session_id=session["id"], contact_id=contact["id"]).json()
    order_path = f"/v1/orders/{booking['order_id']}"
    for _ in range(3):
        api.ok("POST", f"{order_path}/payments", {"method": "cash", "amount": "5.00"})
    stranger = api.post(
        f"{order_path}/refunds",
        {"amount": "1.00", "payment_id": "00000000-0000-4000-8000-000000000000"},
    )
    _refused(stranger, 404, "not_found")

    refunded = api.ok("POST", f"{order_path}/refunds", {"amount": "15.00"}, status=201)

    assert refunded["payment_status"] == "FULLY_REFUNDED"
    assert [r["amount"]["amount"] for r in refunded["refunds"]] == ["5.00"] * 3
    assert len({r["payment_id"] for r in refunded["refunds"]}) == 3


def test_a_pass_past_its_period_or_out_of_credits_reads_ended(api):
    member = make_contact(api, email="ended@example.test")
    old = sell(
        api,
        plan_id=make_plan(api, validity={"unit": "MONTH", "count": 1})["id"],
        contact_id=member["id"],
        starts_at="2025-01-01T00:00:00-07:00",
    )
    assert api.ok("GET", f"/v1/memberships/{old['id']}")["status"] == "ENDED"
    session = make_session(
        api, start="2027-01-05T10:00:00-07:00", end="2027-01-05T11:00:00-07:00"
    )
    single = sell(
        api,
        plan_id=make_plan(api, credits=1, validity={"unit": "YEAR", "count": 2})["id"],
        contact_id=member["id"],
        starts_at="2026-12-01T00:00:00-07:00",
    )
    booking = book(
        api,
        session_id=session["id"],
        contact_id=member["id"],
        payment_option="MEMBERSHIP",
        membership_id=single["id"],
    ).json()
    assert api.ok("GET", f"/v1/memberships/{single['id']}")["status"] == "ENDED"
    api.ok(
        "POST",
        f"/v1/bookings/{booking['id']}/cancel",
        {"revision": booking["revision"]},
    )
    assert api.ok("GET", f"/v1/memberships/{single['id']}")["status"] == "ACTIVE"


def test_a_membership_reads_the_same_in_its_creation_response_and_later(api):
    member = make_contact(api, email="same@example.test")
    created = sell(
        api,
        plan_id=make_plan(api)["id"],
        contact_id=member["id"],
        starts_at="2027-01-01T00:00:00+09:00",
    )
    read = api.ok("GET", f"/v1/memberships/{created['id']}")
    assert created["valid_from"] == read["valid_from"] == "2026-12-31T15:00:00+00:00"
    assert created["valid_until"] == read["valid_until"]


def test_a_plan_paid_booking_cannot_move_past_the_end_of_its_pass(api):
    service = make_service(api)
    early, late = make_sessions(
        api,
        service_id=service["id"],
        start="2027-01-05T10:00:00-07:00",
        end="2027-01-05T11:00:00-07:00",
        rrule="FREQ=MONTHLY;COUNT=2",
    )
    member = make_contact(api, email="move@example.test")
    plan = make_plan(api, validity={"unit": "WEEK", "count": 2})
    sell(
        api,
        plan_id=plan["id"],
        contact_id=member["id"],
        starts_at="2027-01-01T00:00:00-07:00",
    )
    booking = book(
        api,
        session_id=early["id"],
        contact_id=member["id"],
        payment_option="MEMBERSHIP",
    ).json()

    response = api.post(
        f"/v1/bookings/{booking['id']}/reschedule",
        {"revision": booking["revision"], "session_id": late["id"]},
    )

    _refused(response, 409, "membership_expired")
    assert api.ok("GET", f"/v1/bookings/{booking['id']}")["session_id"] == early["id"]


def test_cancelling_a_session_cancels_its_bookings_and_returns_credits(api):
    session = make_session(api)
    member = make_contact(api, email="gone@example.test")
    walk_in = make_contact(api, email="walkin@example.test")
    pack = sell(api, plan_id=make_plan(api, credits=3)["id"], contact_id=member["id"])
    by_plan = book(
        api,
        session_id=session["id"],
        contact_id=member["id"],
        payment_option="MEMBERSHIP",
    ).json()
    paid = book(
        api,
        session_id=session["id"],
        contact_id=walk_in["id"],
        payment={"method": "cash", "amount": "15.00"},
    ).json()

    api.ok("PATCH", f"/v1/sessions/{session['id']}", {"canceled": True})

    assert api.ok("GET", f"/v1/bookings/{by_plan['id']}")["status"] == "CANCELED"
    assert api.ok("GET", f"/v1/memberships/{pack['id']}")["credits_left"] == 3
    kept = api.ok("GET", f"/v1/orders/{paid['order_id']}")
    assert kept["balance"]["paid"]["amount"] == "15.00"  # staff refund it
    view = api.ok("GET", f"/v1/sessions/{session['id']}")
    assert (view["status"], view["booked"]) == ("CANCELED", 0)
    restore = api.patch(f"/v1/sessions/{session['id']}", {"canceled": False})
    _refused(restore, 409, "session_canceled")
    with unit_of_work(api.sessions) as db:
        assert check_all(db) == []
