"""The waitlist: joining, promotion, its limits, and capacity changes."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import update

from frontdesk.bookings.models import Booking
from frontdesk.clock import utc_now
from frontdesk.db.unit_of_work import unit_of_work
from frontdesk.invariants.checks import check_all
from tests.factories import book, make_contact, make_plan, make_session, sell

AUTO = {"waitlist": {"enabled": True, "capacity": 2}}
OFFER = {"waitlist": {"enabled": True, "capacity": 2, "offer_hold_minutes": 10}}


def _fill(api, session, count):
    booked = []
    for n in range(count):
        contact = make_contact(api, email=f"seat{n}-{session['id'][:8]}@example.test")
        booked.append(
            book(api, session_id=session["id"], contact_id=contact["id"]).json()
        )
    return booked


def _join(api, session, name, **extra):
    contact = make_contact(api, email=f"{name}@example.test")
    return book(api, session_id=session["id"], contact_id=contact["id"], **extra)


def test_without_a_hold_the_first_in_line_is_confirmed_when_a_place_frees(api):
    session = make_session(api, service_kwargs={"capacity": 2, "policy": AUTO})
    seated = _fill(api, session, 2)
    first = _join(api, session, "first").json()
    second = _join(api, session, "second").json()

    api.ok(
        "POST",
        f"/v1/bookings/{seated[0]['id']}/cancel",
        {"revision": seated[0]["revision"]},
    )

    assert api.ok("GET", f"/v1/bookings/{first['id']}")["status"] == "CONFIRMED"
    assert api.ok("GET", f"/v1/bookings/{second['id']}")["waitlist_position"] == 1
    types = [
        e["type"]
        for e in api.ok("GET", f"/v1/events?subject_id={first['id']}")["items"]
    ]
    assert "booking.promoted" in types


def test_the_line_is_refused_when_it_is_full_too(api):
    session = make_session(api, service_kwargs={"capacity": 1, "policy": AUTO})
    _fill(api, session, 1)
    assert _join(api, session, "a").status_code == 201
    assert _join(api, session, "b").status_code == 201
    third = _join(api, session, "c")
    assert third.status_code == 409
    assert third.json()["code"] == "waitlist_full"


def test_no_money_is_taken_for_a_place_in_line(api):
    session = make_session(api, service_kwargs={"capacity": 1, "policy": AUTO})
    _fill(api, session, 1)
    paying = _join(api, session, "payer", payment={"method": "cash", "amount": "15.00"})
    assert paying.status_code == 409
    assert paying.json()["code"] == "session_full"


def test_a_bigger_group_first_in_line_is_not_overtaken(api):
    session = make_session(
        api,
        service_kwargs={
            "capacity": 3,
            "policy": {"waitlist": {"enabled": True, "capacity": 5}},
        },
    )
    seated = _fill(api, session, 3)
    group = _join(api, session, "group", participants=2).json()
    single = _join(api, session, "single").json()

    api.ok(
        "POST",
        f"/v1/bookings/{seated[0]['id']}/cancel",
        {"revision": seated[0]["revision"]},
    )

    # One place is free but the first in line needs two: nobody moves yet.
    assert api.ok("GET", f"/v1/bookings/{group['id']}")["status"] == "WAITING_LIST"
    assert api.ok("GET", f"/v1/bookings/{single['id']}")["status"] == "WAITING_LIST"
    api.ok(
        "POST",
        f"/v1/bookings/{seated[1]['id']}/cancel",
        {"revision": seated[1]["revision"]},
    )
    assert api.ok("GET", f"/v1/bookings/{group['id']}")["status"] == "CONFIRMED"
    assert api.ok("GET", f"/v1/bookings/{single['id']}")["status"] == "WAITING_LIST"


def test_raising_capacity_promotes_and_lowering_it_leaves_the_line_waiting(api):
    session = make_session(api, service_kwargs={"capacity": 1, "policy": AUTO})
    _fill(api, session, 1)
    waiting = _join(api, session, "waiting").json()

    raised = api.ok("PATCH", f"/v1/sessions/{session['id']}", {"capacity": 2})

    assert (raised["booked"], raised["waitlist"]) == (2, 0)
    assert api.ok("GET", f"/v1/bookings/{waiting['id']}")["status"] == "CONFIRMED"
    lowered = api.patch(f"/v1/sessions/{session['id']}", {"capacity": 1})
    assert lowered.status_code == 409
    assert lowered.json()["code"] == "capacity_below_booked"


def test_a_lapsed_offer_passes_the_place_to_the_next_in_line(api):
    session = make_session(api, service_kwargs={"capacity": 1, "policy": OFFER})
    seated = _fill(api, session, 1)
    first = _join(api, session, "slow").json()
    second = _join(api, session, "next").json()
    api.ok(
        "POST",
        f"/v1/bookings/{seated[0]['id']}/cancel",
        {"revision": seated[0]["revision"]},
    )
    offered = api.ok("GET", f"/v1/bookings/{first['id']}")
    assert offered["offered_until"] is not None
    with unit_of_work(api.sessions) as db:
        db.execute(
            update(Booking)
            .where(Booking.id == uuid.UUID(first["id"]))
            .values(offered_until=utc_now() - timedelta(minutes=1))
        )

    late = api.post(
        f"/v1/bookings/{first['id']}/confirm", {"revision": offered["revision"]}
    )
    assert late.status_code == 409
    assert late.json()["code"] == "offer_expired"
    # The next change on the session lapses the offer and offers the place on.
    api.ok("PATCH", f"/v1/sessions/{session['id']}", {"capacity": 1})
    _join(api, session, "trigger")

    assert api.ok("GET", f"/v1/bookings/{first['id']}")["status"] == "CANCELED"
    assert api.ok("GET", f"/v1/bookings/{second['id']}")["offered_until"] is not None
    with unit_of_work(api.sessions) as db:
        assert check_all(db) == []


def test_a_member_in_line_pays_with_the_plan_when_promoted(api):
    session = make_session(api, service_kwargs={"capacity": 1, "policy": AUTO})
    seated = _fill(api, session, 1)
    member = make_contact(api, email="member@example.test")
    pack = sell(api, plan_id=make_plan(api, credits=3)["id"], contact_id=member["id"])
    waiting = book(
        api,
        session_id=session["id"],
        contact_id=member["id"],
        payment_option="MEMBERSHIP",
    ).json()
    assert waiting["status"] == "WAITING_LIST"
    assert api.ok("GET", f"/v1/memberships/{pack['id']}")["credits_left"] == 3

    api.ok(
        "POST",
        f"/v1/bookings/{seated[0]['id']}/cancel",
        {"revision": seated[0]["revision"]},
    )

    promoted = api.ok("GET", f"/v1/bookings/{waiting['id']}")
    assert (promoted["status"], promoted["payment_status"]) == (
        "CONFIRMED",
        "PAID_BY_PLAN",
    )
    assert api.ok("GET", f"/v1/memberships/{pack['id']}")["credits_left"] == 2
    with unit_of_work(api.sessions) as db:
        assert check_all(db) == []


def test_a_member_in_line_with_two_passes_is_charged_the_one_they_named(api):
    session = make_session(api, service_kwargs={"capacity": 1, "policy": AUTO})
    seated = _fill(api, session, 1)
    member = make_contact(api, email="twopass@example.test")
    named = sell(api, plan_id=make_plan(api, credits=5)["id"], contact_id=member["id"])
    other = sell(api, plan_id=make_plan(api, credits=5)["id"], contact_id=member["id"])
    waiting = book(
        api,
        session_id=session["id"],
        contact_id=member["id"],
        payment_option="MEMBERSHIP",
        membership_id=named["id"],
    ).json()

    api.ok(
        "POST",
        f"/v1/bookings/{seated[0]['id']}/cancel",
        {"revision": seated[0]["revision"]},
    )

    promoted = api.ok("GET", f"/v1/bookings/{waiting['id']}")
    assert (promoted["status"], promoted["membership_id"]) == ("CONFIRMED", named["id"])
    assert api.ok("GET", f"/v1/memberships/{named['id']}")["credits_left"] == 4
    assert api.ok("GET", f"/v1/memberships/{other['id']}")["credits_left"] == 5


def test_nothing_is_paid_or_redeemed_for_a_place_in_line(api):
    session = make_session(api, service_kwargs={"capacity": 1, "policy": AUTO})
    _fill(api, session, 1)
    member = make_contact(api, email="inline@example.test")
    pack = sell(api, plan_id=make_plan(api, credits=5)["id"], contact_id=member["id"])
    waiting = book(
        api,
        session_id=session["id"],
        contact_id=member["id"],
        payment_option="MEMBERSHIP_OFFLINE",
    ).json()
    order = f"/v1/orders/{waiting['order_id']}"

    for response in (
        api.post(f"/v1/bookings/{waiting['id']}/redeem", {"membership_id": pack["id"]}),
        api.post(f"{order}/payments", {"method": "cash", "amount": "15.00"}),
        api.post(f"{order}/mark-paid", {}),
    ):
        assert response.status_code == 409, response.text
        assert response.json()["code"] == "booking_waiting"
    assert api.ok("GET", f"/v1/memberships/{pack['id']}")["credits_left"] == 5
    assert api.ok("GET", order)["payments"] == []
    with unit_of_work(api.sessions) as db:
        assert check_all(db) == []
