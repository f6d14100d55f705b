"""S06: a booking made from backend code and paid by plan gets its order."""

from __future__ import annotations

from tests.factories import book, make_contact, make_plan, make_session, sell


def test_a_plan_paid_backend_booking_has_one_order_linked_both_ways(api):
    session = make_session(api)
    member = make_contact(api, first_name="Ann", email="a@example.test")
    plan = make_plan(
        api,
        name="Unlimited",
        kind="UNLIMITED",
        credits=None,
        price="99.00",
        validity={"unit": "MONTH", "count": 1},
    )
    membership = sell(
        api,
        plan_id=plan["id"],
        contact_id=member["id"],
        starts_at="2026-07-01T00:00:00-06:00",
    )

    response = book(
        api,
        session_id=session["id"],
        contact_id=member["id"],
        payment_option="MEMBERSHIP",
    )

    assert response.status_code == 201, response.text
    booking = response.json()
    assert booking["status"] == "CONFIRMED"
    assert booking["payment_status"] == "PAID_BY_PLAN"
    assert booking["membership_id"] == membership["id"]
    orders = api.ok("GET", f"/v1/orders?contact_id={member['id']}")["items"]
    booking_orders = [
        o for o in orders if any(line["kind"] == "BOOKING" for line in o["lines"])
    ]
    assert [o["id"] for o in booking_orders] == [booking["order_id"]]
    order = booking_orders[0]
    assert [line["booking_id"] for line in order["lines"]] == [booking["id"]]
    assert order["lines"][0]["paid_by_membership_id"] == membership["id"]
    assert order["balance"]["total"] == {
        "amount": "0.00",
        "currency": "USD",
        "formatted": "$0.00",
    }
    assert order["status"] == "COMPLETE"
    roster = api.ok("GET", f"/v1/sessions/{session['id']}/roster")["items"]
    assert [(r["booking_id"], r["payment_label"]) for r in roster] == [
        (booking["id"], "paid by plan")
    ]
    assert roster[0]["plan"]["plan_name"] == "Unlimited"


def test_the_only_eligible_membership_is_chosen_and_a_pack_loses_a_credit(api):
    session = make_session(api)
    member = make_contact(api, email="pack@example.test")
    pack = sell(api, plan_id=make_plan(api, credits=5)["id"], contact_id=member["id"])

    booking = book(
        api,
        session_id=session["id"],
        contact_id=member["id"],
        payment_option="MEMBERSHIP",
        participants=2,
    ).json()

    assert booking["membership_id"] == pack["id"]
    assert api.ok("GET", f"/v1/memberships/{pack['id']}")["credits_left"] == 3


def test_a_contact_without_a_membership_is_refused_and_nothing_is_written(api):
    session = make_session(api)
    member = make_contact(api, email="none@example.test")
    events_before = len(api.ok("GET", "/v1/events?limit=500")["items"])

    response = book(
        api,
        session_id=session["id"],
        contact_id=member["id"],
        payment_option="MEMBERSHIP",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "membership_not_eligible"
    assert api.ok("GET", f"/v1/bookings?contact_id={member['id']}")["items"] == []
    assert api.ok("GET", f"/v1/orders?contact_id={member['id']}")["items"] == []
    assert len(api.ok("GET", "/v1/events?limit=500")["items"]) == events_before
