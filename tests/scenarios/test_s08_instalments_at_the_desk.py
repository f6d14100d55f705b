"""S08: one order paid in instalments at the desk."""

from __future__ import annotations

from tests.factories import book, make_contact, make_service, make_sessions


def _two_session_order(api):
    service = make_service(api, price="10.00")
    sessions = make_sessions(
        api,
        service_id=service["id"],
        start="2026-07-06T18:00:00-06:00",
        end="2026-07-06T19:00:00-06:00",
        rrule="FREQ=WEEKLY;COUNT=2",
    )
    contact = make_contact(api, email="s08@example.test")
    # Two places on the same session form one order of two sessions at 10.00.
    booking = book(
        api, session_id=sessions[0]["id"], contact_id=contact["id"], participants=2
    ).json()
    return booking["order_id"]


def test_two_instalments_make_the_order_paid_with_two_payments(api):
    order_id = _two_session_order(api)

    day_one = api.ok(
        "POST",
        f"/v1/orders/{order_id}/payments",
        {"method": "cash", "amount": "10.00"},
        status=201,
    )
    assert day_one["balance"]["paid"]["amount"] == "10.00"
    assert day_one["balance"]["due"]["amount"] == "10.00"
    assert day_one["payment_status"] == "PARTIALLY_PAID"

    day_two = api.ok(
        "POST",
        f"/v1/orders/{order_id}/payments",
        {"method": "cash", "amount": "10.00"},
        status=201,
    )
    assert day_two["payment_status"] == "PAID"
    assert day_two["balance"]["due"]["amount"] == "0.00"
    assert [p["amount"]["amount"] for p in day_two["payments"]] == ["10.00", "10.00"]


def test_mark_paid_on_a_partly_paid_order_records_only_what_is_due(api):
    order_id = _two_session_order(api)
    api.ok(
        "POST",
        f"/v1/orders/{order_id}/payments",
        {"method": "cash", "amount": "7.50"},
        status=201,
    )

    order = api.ok("POST", f"/v1/orders/{order_id}/mark-paid", {"method": "cash"})

    assert order["payment_status"] == "PAID"
    assert [p["amount"]["amount"] for p in order["payments"]] == ["7.50", "12.50"]
    again = api.post(f"/v1/orders/{order_id}/mark-paid", {"method": "cash"})
    assert again.status_code == 409
    assert again.json()["code"] == "nothing_due"


def test_a_payment_above_what_is_due_is_refused(api):
    order_id = _two_session_order(api)
    response = api.post(
        f"/v1/orders/{order_id}/payments", {"method": "cash", "amount": "20.01"}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "amount_exceeds_due"
    assert api.ok("GET", f"/v1/orders/{order_id}")["payments"] == []
