from tests.factories import book, make_contact, make_session


def test_a_cash_booking_is_paid_in_one_call(api):
    session = make_session(api)
    contact = make_contact(api, email="ada@example.test")
    response = book(
        api,
        session_id=session["id"],
        contact_id=contact["id"],
        payment={"method": "cash", "amount": "15.00"},
    )
    assert response.status_code == 201, response.text
    booking = response.json()
    assert booking["status"] == "CONFIRMED"
    assert booking["payment_status"] == "PAID"
    assert booking["start"] == "2026-07-11T18:30:00-06:00"
    order = api.ok("GET", f"/v1/orders/{booking['order_id']}")
    assert order["payment_status"] == "PAID"
    assert order["balance"]["due"]["amount"] == "0.00"
    assert [line["booking_id"] for line in order["lines"]] == [booking["id"]]
