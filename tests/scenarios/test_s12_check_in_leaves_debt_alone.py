"""S12: checking someone in leaves their debt alone."""

from __future__ import annotations

from tests.factories import book, make_contact, make_session


def test_checking_in_an_unpaid_online_booking_keeps_it_owing(api):
    session = make_session(
        api, service_kwargs={"name": "Drop-in Yoga", "price": "40.00"}
    )
    member = make_contact(api, email="yoga@example.test")
    booking = book(
        api, session_id=session["id"], contact_id=member["id"], payment_option="ONLINE"
    ).json()

    checked_in = api.ok(
        "PUT",
        f"/v1/bookings/{booking['id']}/attendance",
        {"status": "ATTENDED", "attendees": 1},
    )

    assert checked_in["attendance"]["status"] == "ATTENDED"
    assert checked_in["status"] == "CONFIRMED"
    assert checked_in["payment_status"] == "NOT_PAID"
    order = api.ok("GET", f"/v1/orders/{booking['order_id']}")
    assert order["payment_status"] == "NOT_PAID"
    assert order["balance"]["due"]["amount"] == "40.00"

    paid = api.ok(
        "POST",
        f"/v1/orders/{booking['order_id']}/payments",
        {"method": "cash", "amount": "40.00"},
        status=201,
    )
    assert paid["payment_status"] == "PAID"
    after = api.ok("GET", f"/v1/bookings/{booking['id']}")
    assert after["attendance"]["status"] == "ATTENDED"
    assert after["payment_status"] == "PAID"
