"""A booking's life: approval, cancellation, rescheduling, redemption."""

from __future__ import annotations

from tests.factories import (
    book,
    make_contact,
    make_plan,
    make_service,
    make_session,
    make_sessions,
    sell,
)


def _events(api, subject_id):
    return [
        e["type"]
        for e in reversed(
            api.ok("GET", f"/v1/events?subject_id={subject_id}&limit=500")["items"]
        )
    ]


def test_a_booking_that_needs_approval_waits_pending_then_is_confirmed(api):
    session = make_session(api, service_kwargs={"policy": {"requires_approval": True}})
    contact = make_contact(api, email="ok@example.test")
    booking = book(api, session_id=session["id"], contact_id=contact["id"]).json()
    assert booking["status"] == "PENDING"
    assert api.ok("GET", f"/v1/sessions/{session['id']}")["booked"] == 1

    confirmed = api.ok(
        "POST",
        f"/v1/bookings/{booking['id']}/confirm",
        {"revision": booking["revision"]},
    )

    assert confirmed["status"] == "CONFIRMED"
    assert confirmed["revision"] == booking["revision"] + 1
    assert _events(api, booking["id"]) == ["booking.created", "booking.confirmed"]


def test_a_declined_booking_frees_its_place_and_owes_nothing(api):
    session = make_session(
        api, service_kwargs={"policy": {"requires_approval": True}, "capacity": 1}
    )
    contact = make_contact(api, email="no@example.test")
    booking = book(api, session_id=session["id"], contact_id=contact["id"]).json()

    declined = api.ok(
        "POST",
        f"/v1/bookings/{booking['id']}/decline",
        {"revision": booking["revision"]},
    )

    assert declined["status"] == "DECLINED"
    assert api.ok("GET", f"/v1/sessions/{session['id']}")["remaining"] == 1
    order = api.ok("GET", f"/v1/orders/{booking['order_id']}")
    assert order["status"] == "CANCELED"
    assert order["balance"]["due"]["amount"] == "0.00"


def test_cancelling_a_course_of_pack_bookings_returns_the_unused_credits(api):
    # S09: a pack of 8, four weekly sessions, the first attended, the rest canceled.
    service = make_service(api)
    sessions = make_sessions(
        api,
        service_id=service["id"],
        start="2026-09-01T18:30:00-06:00",
        end="2026-09-01T19:30:00-06:00",
        rrule="FREQ=WEEKLY;COUNT=4",
    )
    member = make_contact(api, email="s09@example.test")
    pack = sell(
        api,
        plan_id=make_plan(api, credits=8)["id"],
        contact_id=member["id"],
        starts_at="2026-08-01T00:00:00-06:00",
    )
    bookings = [
        book(
            api,
            session_id=s["id"],
            contact_id=member["id"],
            payment_option="MEMBERSHIP",
        ).json()
        for s in sessions
    ]
    assert api.ok("GET", f"/v1/memberships/{pack['id']}")["credits_left"] == 4
    api.ok(
        "PUT", f"/v1/bookings/{bookings[0]['id']}/attendance", {"status": "ATTENDED"}
    )

    for booking in bookings[1:]:
        canceled = api.ok(
            "POST",
            f"/v1/bookings/{booking['id']}/cancel",
            {"revision": booking["revision"]},
        )
        assert canceled["status"] == "CANCELED"

    membership = api.ok("GET", f"/v1/memberships/{pack['id']}")
    assert membership["credits_left"] == 7
    entries = [e["entry"] for e in membership["ledger"]]
    assert entries.count("DEBIT") == 4
    assert entries.count("REVERSAL") == 3
    kept = api.ok("GET", f"/v1/bookings/{bookings[0]['id']}")
    assert (kept["status"], kept["payment_status"]) == ("CONFIRMED", "PAID_BY_PLAN")


def test_cancelling_twice_is_refused_and_returns_the_credit_once(api):
    session = make_session(api)
    member = make_contact(api, email="twice@example.test")
    pack = sell(api, plan_id=make_plan(api, credits=2)["id"], contact_id=member["id"])
    booking = book(
        api,
        session_id=session["id"],
        contact_id=member["id"],
        payment_option="MEMBERSHIP",
    ).json()
    canceled = api.ok(
        "POST",
        f"/v1/bookings/{booking['id']}/cancel",
        {"revision": booking["revision"]},
    )

    again = api.post(
        f"/v1/bookings/{booking['id']}/cancel", {"revision": canceled["revision"]}
    )

    assert again.status_code == 409
    assert again.json()["code"] == "booking_ended"
    assert api.ok("GET", f"/v1/memberships/{pack['id']}")["credits_left"] == 2


def test_a_membership_offline_booking_is_redeemed_later_from_the_chosen_pass(api):
    session = make_session(api)
    member = make_contact(api, email="later@example.test")
    old = sell(api, plan_id=make_plan(api, credits=1)["id"], contact_id=member["id"])
    new = sell(api, plan_id=make_plan(api, credits=5)["id"], contact_id=member["id"])
    booking = book(
        api,
        session_id=session["id"],
        contact_id=member["id"],
        payment_option="MEMBERSHIP_OFFLINE",
    ).json()
    assert booking["payment_status"] == "NOT_PAID"
    assert booking["membership_id"] is None

    eligible = api.ok("GET", f"/v1/bookings/{booking['id']}/eligible-memberships")
    assert {e["membership_id"]: e["credits_left"] for e in eligible} == {
        old["id"]: 1,
        new["id"]: 5,
    }
    redeemed = api.ok(
        "POST", f"/v1/bookings/{booking['id']}/redeem", {"membership_id": new["id"]}
    )

    assert redeemed["payment_status"] == "PAID_BY_PLAN"
    assert redeemed["membership_id"] == new["id"]
    assert api.ok("GET", f"/v1/memberships/{new['id']}")["credits_left"] == 4
    assert api.ok("GET", f"/v1/memberships/{old['id']}")["credits_left"] == 1
    order = api.ok("GET", f"/v1/orders/{booking['order_id']}")
    assert order["balance"]["total"]["amount"] == "0.00"
    assert order["payment_status"] == "PAID"
    again = api.post(
        f"/v1/bookings/{booking['id']}/redeem", {"membership_id": old["id"]}
    )
    assert again.status_code == 409
    assert again.json()["code"] == "already_redeemed"


def test_eligible_memberships_say_why_a_membership_cannot_pay(api):
    yoga = make_service(api, name="Yoga")
    session = make_session(api, service=make_service(api, name="Swim"))
    member = make_contact(api, email="why@example.test")
    other_service = sell(
        api,
        plan_id=make_plan(api, service_ids=[yoga["id"]])["id"],
        contact_id=member["id"],
    )
    expired = sell(
        api,
        plan_id=make_plan(api, validity={"unit": "DAY", "count": 1})["id"],
        contact_id=member["id"],
        starts_at="2026-01-01T00:00:00-07:00",
    )
    empty = sell(api, plan_id=make_plan(api, credits=1)["id"], contact_id=member["id"])
    booking = book(
        api, session_id=session["id"], contact_id=member["id"], participants=2
    ).json()

    eligible = api.ok("GET", f"/v1/bookings/{booking['id']}/eligible-memberships")

    assert {e["membership_id"]: e["reason"] for e in eligible} == {
        other_service["id"]: "service_not_covered",
        expired["id"]: "membership_expired",
        empty["id"]: "insufficient_credits",
    }
    response = api.post(
        f"/v1/bookings/{booking['id']}/redeem", {"membership_id": expired["id"]}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "membership_expired"


def test_a_pack_without_enough_credits_is_a_409_insufficient_credits(api):
    session = make_session(api)
    member = make_contact(api, email="short@example.test")
    pack = sell(api, plan_id=make_plan(api, credits=1)["id"], contact_id=member["id"])
    response = book(
        api,
        session_id=session["id"],
        contact_id=member["id"],
        payment_option="MEMBERSHIP",
        membership_id=pack["id"],
        participants=2,
    )
    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_credits"
    assert api.ok("GET", f"/v1/memberships/{pack['id']}")["credits_left"] == 1


def test_rescheduling_moves_the_place_to_another_session_of_the_service(api):
    service = make_service(api, capacity=2)
    first, second = make_sessions(
        api,
        service_id=service["id"],
        start="2026-07-07T18:30:00-06:00",
        end="2026-07-07T19:30:00-06:00",
        rrule="FREQ=WEEKLY;COUNT=2",
    )
    contact = make_contact(api, email="move@example.test")
    booking = book(api, session_id=first["id"], contact_id=contact["id"]).json()

    moved = api.ok(
        "POST",
        f"/v1/bookings/{booking['id']}/reschedule",
        {"revision": booking["revision"], "session_id": second["id"]},
    )

    assert moved["session_id"] == second["id"]
    assert moved["start"] == "2026-07-14T18:30:00-06:00"
    assert api.ok("GET", f"/v1/sessions/{first['id']}")["booked"] == 0
    assert api.ok("GET", f"/v1/sessions/{second['id']}")["booked"] == 1


def test_a_refund_returns_money_and_the_order_says_so(api):
    session = make_session(api)
    contact = make_contact(api, email="refund@example.test")
    booking = book(
        api,
        session_id=session["id"],
        contact_id=contact["id"],
        payment={"method": "cash", "amount": "15.00"},
    ).json()

    partial = api.ok(
        "POST",
        f"/v1/orders/{booking['order_id']}/refunds",
        {"amount": "5.00", "reason": "late start"},
        status=201,
    )
    assert partial["payment_status"] == "PARTIALLY_REFUNDED"
    assert partial["balance"]["refunded"]["amount"] == "5.00"
    full = api.ok(
        "POST",
        f"/v1/orders/{booking['order_id']}/refunds",
        {"amount": "10.00"},
        status=201,
    )
    assert full["payment_status"] == "FULLY_REFUNDED"
    too_much = api.post(f"/v1/orders/{booking['order_id']}/refunds", {"amount": "0.01"})
    assert too_much.status_code == 409
    assert too_much.json()["code"] == "refund_exceeds_paid"
    assert (
        api.ok("GET", f"/v1/bookings/{booking['id']}")["payment_status"] == "REFUNDED"
    )


def test_one_state_change_one_event_in_the_outbox(api):
    session = make_session(api)
    contact = make_contact(api, email="events@example.test")
    booking = book(
        api,
        session_id=session["id"],
        contact_id=contact["id"],
        payment={"method": "cash", "amount": "15.00"},
    ).json()

    types = [e["type"] for e in api.ok("GET", "/v1/events?limit=500")["items"]]

    # Newest first: the payment settled the order after the booking was made.
    assert types == [
        "order.paid",
        "payment.recorded",
        "booking.confirmed",
        "booking.created",
        "order.created",
    ]
    assert _events(api, booking["order_id"]) == ["order.created", "order.paid"]


def test_lists_are_paginated_with_an_opaque_cursor(api):
    session = make_session(api)
    ids = set()
    for n in range(5):
        contact = make_contact(api, email=f"page{n}@example.test")
        ids.add(
            book(api, session_id=session["id"], contact_id=contact["id"]).json()["id"]
        )
    seen, cursor = [], None
    while True:
        query = f"/v1/bookings?session_id={session['id']}&limit=2"
        page = api.ok("GET", query + (f"&cursor={cursor}" if cursor else ""))
        seen += [b["id"] for b in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 5
    assert set(seen) == ids
    assert api.get("/v1/bookings?limit=501").status_code == 422


def test_rescheduling_into_a_session_that_has_bookings_gives_the_next_seat(api):
    service = make_service(api, capacity=5)
    first, second = make_sessions(
        api,
        service_id=service["id"],
        start="2026-07-07T18:30:00-06:00",
        end="2026-07-07T19:30:00-06:00",
        rrule="FREQ=WEEKLY;COUNT=2",
    )
    there = make_contact(api, email="there@example.test")
    mover = make_contact(api, email="mover@example.test")
    book(api, session_id=second["id"], contact_id=there["id"])
    booking = book(api, session_id=first["id"], contact_id=mover["id"]).json()

    moved = api.ok(
        "POST",
        f"/v1/bookings/{booking['id']}/reschedule",
        {"revision": booking["revision"], "session_id": second["id"]},
    )

    assert moved["session_id"] == second["id"]
    roster = api.ok("GET", f"/v1/sessions/{second['id']}/roster")["items"]
    assert [r["contact"]["id"] for r in roster] == [there["id"], mover["id"]]


def test_a_bookings_instants_read_in_its_sessions_zone(api):
    session = make_session(api)
    contact = make_contact(api, email="zone@example.test")
    booking = book(api, session_id=session["id"], contact_id=contact["id"]).json()
    marked = api.ok(
        "PUT", f"/v1/bookings/{booking['id']}/attendance", {"status": "ATTENDED"}
    )
    # Denver in December is UTC-7; the session itself is in July (UTC-6).
    assert booking["created_at"].endswith("-07:00")
    assert marked["attendance"]["recorded_at"].endswith("-07:00")
    assert marked["start"].endswith("-06:00")
