"""Places under load: racing clients never take more places than a session has.

Every test runs twice: against a server that holds its locks (the books must
add up) and against one started without them, its control (the same check
must fail, which shows the race really ran). Both servers pause between the
capacity check and the insert, so the racing requests overlap for certain.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select

from frontdesk.bookings.models import Booking
from frontdesk.db.unit_of_work import session_factory, unit_of_work
from tests.concurrency.harness import (
    WORKERS,
    Call,
    breaches,
    outcome,
    release_together,
)
from tests.factories import make_contact, make_location, make_service, make_session


def booking_call(session: dict[str, Any], contact: dict[str, Any]) -> Call:
    return Call(
        "POST",
        "/v1/bookings",
        {
            "session_id": session["id"],
            "contact_id": contact["id"],
            "participants": 1,
            "payment_option": "OFFLINE",
        },
    )


def members(api, count: int) -> list[dict[str, Any]]:
    return [
        make_contact(api, first_name=f"Member{n}", email=f"member{n}@example.test")
        for n in range(count)
    ]


def stored_seats(engine, session_id: str) -> list[int]:
    with unit_of_work(session_factory(engine)) as db:
        return list(
            db.scalars(
                select(Booking.roster_position)
                .where(Booking.session_id == uuid.UUID(session_id))
                .order_by(Booking.roster_position)
            )
        )


def test_two_members_one_seat_one_booking_whose_owner_never_changes(
    api, start_server, guard
):
    """S01: a one-to-one session, two members at the same instant."""
    lesson = make_service(
        api,
        name="Private Lesson",
        type="APPOINTMENT",
        capacity=1,
        price="80.00",
        location_id=make_location(api)["id"],
    )
    session = make_session(
        api,
        service=lesson,
        start="2026-03-03T18:00:00-07:00",
        end="2026-03-03T19:00:00-07:00",
    )
    ana, ben = members(api, 2)
    server = start_server(guard=guard)

    answers = release_together(
        server, api.owner_key, [booking_call(session, ana), booking_call(session, ben)]
    )

    def one_seat_one_owner() -> None:
        # Without locks, PostgreSQL confirms both; SQLite (DEFERRED) answers
        # the second writer 503 database_busy ("database is locked").
        assert sorted(a.status for a in answers) == [201, 409], answers
        [won] = [a.body for a in answers if a.status == 201]
        [lost] = [a for a in answers if a.status == 409]
        assert lost.code == "session_full"
        listed = api.ok("GET", f"/v1/bookings?session_id={session['id']}")["items"]
        assert [b["id"] for b in listed if b["status"] == "CONFIRMED"] == [won["id"]]
        first = api.ok("GET", f"/v1/bookings/{won['id']}")
        second = api.ok("GET", f"/v1/bookings/{won['id']}")
        assert first["contact_id"] == second["contact_id"] == won["contact_id"]
        assert first["start"] == "2026-03-03T18:00:00-07:00"
        confirmed = api.ok("GET", "/v1/events?type=booking.confirmed&limit=500")
        assert [e["subject_id"] for e in confirmed["items"]] == [won["id"]]

    guard.verify(one_seat_one_owner)


def test_the_first_two_seats_of_an_empty_class_are_both_taken(
    api, engine, start_server, guard
):
    """S02: capacity 10, no bookings, two members at once."""
    session = make_session(api, service_kwargs={"name": "Spin", "capacity": 10})
    ana, ben = members(api, 2)
    server = start_server(guard=guard)

    answers = release_together(
        server, api.owner_key, [booking_call(session, ana), booking_call(session, ben)]
    )

    def both_seated() -> None:
        # Without locks, PostgreSQL books both into the same roster seat 1;
        # SQLite (DEFERRED) answers the second writer 503 database_busy
        # ("database is locked").
        assert [a.status for a in answers] == [201, 201], answers
        shown = api.ok("GET", f"/v1/sessions/{session['id']}")
        assert (shown["booked"], shown["remaining"]) == (2, 8)
        roster = api.ok("GET", f"/v1/sessions/{session['id']}/roster")["items"]
        assert {r["booking_id"] for r in roster} == {a.body["id"] for a in answers}
        assert {r["contact"]["id"] for r in roster} == {ana["id"], ben["id"]}
        assert stored_seats(engine, session["id"]) == [1, 2]

    guard.verify(both_seated)


@pytest.mark.parametrize("workers", WORKERS)
def test_a_crowd_of_sixteen_gets_exactly_the_five_places(
    api, engine, start_server, guard, workers
):
    session = make_session(api, service_kwargs={"name": "Sauna", "capacity": 5})
    crowd = members(api, 16)
    server = start_server(workers=workers, guard=guard)

    answers = release_together(
        server, api.owner_key, [booking_call(session, c) for c in crowd]
    )

    def five_places_taken() -> None:
        # Without locks, PostgreSQL confirms all sixteen; SQLite (DEFERRED)
        # lets one writer through and answers the others 503 database_busy.
        assert outcome(answers) == {(201, None): 5, (409, "session_full"): 11}
        shown = api.ok("GET", f"/v1/sessions/{session['id']}")
        assert (shown["booked"], shown["remaining"]) == (5, 0)
        assert stored_seats(engine, session["id"]) == [1, 2, 3, 4, 5]
        assert breaches(engine) == []

    guard.verify(five_places_taken)


def test_two_carts_over_the_same_sessions_in_opposite_orders_never_deadlock(
    api, start_server, guard
):
    """S03 under load: carts lock their sessions in id order, whatever theirs."""
    roomy = make_session(api, service_kwargs={"name": "Swim", "capacity": 10})
    last_seat = make_session(api, service_kwargs={"name": "Sauna", "capacity": 1})
    ana, ben = members(api, 2)
    carts = []
    for contact, sessions in ((ana, (roomy, last_seat)), (ben, (last_seat, roomy))):
        items = [{"session_id": s["id"], "payment_option": "OFFLINE"} for s in sessions]
        carts.append(
            api.ok(
                "POST",
                "/v1/checkouts",
                {"contact_id": contact["id"], "items": items},
                status=201,
            )
        )
    server = start_server(guard=guard)

    answers = release_together(
        server,
        api.owner_key,
        [Call("POST", f"/v1/checkouts/{c['id']}/complete", {}) for c in carts],
    )

    def one_cart_whole_the_other_not_at_all() -> None:
        # Without locks, PostgreSQL completes both carts and puts two people
        # on the one-seat session; SQLite (DEFERRED) answers 503 database_busy to one.
        assert outcome(answers) == {(200, None): 1, (409, "session_full"): 1}, answers
        assert api.ok("GET", f"/v1/sessions/{roomy['id']}")["booked"] == 1
        assert api.ok("GET", f"/v1/sessions/{last_seat['id']}")["booked"] == 1
        [done] = [a.body for a in answers if a.status == 200]
        assert {i["booking_id"] is not None for i in done["items"]} == {True}

    guard.verify(one_cart_whole_the_other_not_at_all)
