"""S03: capacity counts participants, not lines, across a whole checkout."""

from __future__ import annotations

from tests.factories import book, make_contact, make_plan, make_session


def _cart(api, session, contact, count):
    items = [
        {"session_id": session["id"], "participants": 1, "payment_option": "OFFLINE"}
        for _ in range(count)
    ]
    return api.ok(
        "POST",
        "/v1/checkouts",
        {"contact_id": contact["id"], "items": items},
        status=201,
    )


def test_a_cart_of_twelve_for_ten_places_is_refused_whole_and_takes_no_seat(api):
    session = make_session(api, service_kwargs={"capacity": 10})
    contact = make_contact(api, email="cart@example.test")
    cart = _cart(api, session, contact, 12)
    assert cart["total"]["amount"] == "180.00"

    response = api.post(f"/v1/checkouts/{cart['id']}/complete", {})

    assert response.status_code == 409
    assert response.json()["code"] == "session_full"
    view = api.ok("GET", f"/v1/sessions/{session['id']}")
    assert (view["booked"], view["remaining"]) == (0, 10)
    assert api.ok("GET", f"/v1/bookings?session_id={session['id']}")["items"] == []
    assert api.ok("GET", f"/v1/orders?contact_id={contact['id']}")["items"] == []
    assert api.ok("GET", f"/v1/checkouts/{cart['id']}")["status"] == "OPEN"


def test_a_cart_of_ten_fills_the_class_and_the_next_booking_is_refused(api):
    session = make_session(api, service_kwargs={"capacity": 10})
    contact = make_contact(api, email="ten@example.test")
    cart = _cart(api, session, contact, 10)

    done = api.ok(
        "POST",
        f"/v1/checkouts/{cart['id']}/complete",
        {"payment": {"method": "cash", "amount": "150.00"}},
    )

    assert done["status"] == "COMPLETED"
    assert api.ok("GET", f"/v1/sessions/{session['id']}")["remaining"] == 0
    order = api.ok("GET", f"/v1/orders/{done['order_id']}")
    assert len(order["lines"]) == 10
    assert {line["booking_id"] for line in order["lines"]} == {
        i["booking_id"] for i in done["items"]
    }
    assert order["payment_status"] == "PAID"
    late = make_contact(api, email="late@example.test")
    refused = book(api, session_id=session["id"], contact_id=late["id"])
    assert refused.status_code == 409
    assert refused.json()["code"] == "session_full"
    again = api.post(f"/v1/checkouts/{cart['id']}/complete", {})
    assert again.status_code == 409
    assert again.json()["code"] == "checkout_completed"


def test_one_booking_for_three_people_takes_three_places(api):
    session = make_session(api, service_kwargs={"capacity": 10})
    contact = make_contact(api, email="three@example.test")
    booking = book(
        api, session_id=session["id"], contact_id=contact["id"], participants=3
    )
    assert booking.status_code == 201
    view = api.ok("GET", f"/v1/sessions/{session['id']}")
    assert (view["booked"], view["remaining"]) == (3, 7)
    cart = _cart(api, session, contact, 8)
    assert api.post(f"/v1/checkouts/{cart['id']}/complete", {}).status_code == 409


def test_a_cart_can_buy_a_pass_and_spend_it_in_the_same_order(api):
    # The pass starts today, so the class it pays for lies ahead.
    session = make_session(
        api,
        service_kwargs={"capacity": 10},
        start="2027-02-06T10:00:00-07:00",
        end="2027-02-06T11:00:00-07:00",
    )
    contact = make_contact(api, email="newpass@example.test")
    plan = make_plan(api, credits=5, validity={"unit": "YEAR", "count": 5})
    cart = api.ok(
        "POST",
        "/v1/checkouts",
        {
            "contact_id": contact["id"],
            "items": [
                {"kind": "MEMBERSHIP_PURCHASE", "plan_id": plan["id"]},
                {"session_id": session["id"], "payment_option": "MEMBERSHIP"},
            ],
        },
        status=201,
    )
    assert cart["total"]["amount"] == "120.00"

    done = api.ok("POST", f"/v1/checkouts/{cart['id']}/complete", {})

    membership_id = done["items"][0]["purchased_membership_id"]
    assert api.ok("GET", f"/v1/memberships/{membership_id}")["credits_left"] == 4
    booking = api.ok("GET", f"/v1/bookings/{done['items'][1]['booking_id']}")
    assert booking["payment_status"] == "PAID_BY_PLAN"
    assert booking["order_id"] == done["order_id"]
    order = api.ok("GET", f"/v1/orders/{done['order_id']}")
    assert [line["kind"] for line in order["lines"]] == [
        "MEMBERSHIP_PURCHASE",
        "BOOKING",
    ]
    assert order["balance"]["due"]["amount"] == "120.00"


def test_a_cart_over_two_sessions_is_refused_if_either_is_short(api):
    roomy = make_session(api, service_kwargs={"capacity": 10})
    tight = make_session(api, service_kwargs={"capacity": 1})
    contact = make_contact(api, email="two@example.test")
    items = [
        {"session_id": roomy["id"], "payment_option": "OFFLINE"},
        {"session_id": tight["id"], "payment_option": "OFFLINE", "participants": 2},
    ]
    cart = api.ok(
        "POST",
        "/v1/checkouts",
        {"contact_id": contact["id"], "items": items},
        status=201,
    )
    assert api.post(f"/v1/checkouts/{cart['id']}/complete", {}).status_code == 409
    assert api.ok("GET", f"/v1/sessions/{roomy['id']}")["booked"] == 0
