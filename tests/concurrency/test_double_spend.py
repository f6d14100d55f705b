"""Money and credits under load: nothing is spent, paid or returned twice.

Each race runs against a server that holds its locks (exactly one request
wins) and against its control, started without them (the same check must
fail). Both pause between the guarded check and its write.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.concurrency.harness import (
    WORKERS,
    Call,
    breaches,
    outcome,
    release_together,
)
from tests.factories import book, make_contact, make_plan, make_session, sell


def pack_holder(api, *, credits: int) -> tuple[dict[str, Any], dict[str, Any]]:
    member = make_contact(api, first_name="Pia", email="pia@example.test")
    plan = make_plan(
        api, name="Swim Pack", credits=credits, validity={"unit": "YEAR", "count": 2}
    )
    return member, sell(api, plan_id=plan["id"], contact_id=member["id"])


def booked(api, **kwargs: Any) -> dict[str, Any]:
    response = book(api, **kwargs)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


@pytest.mark.parametrize("workers", WORKERS)
def test_two_redemptions_race_for_the_last_credit_and_one_wins(
    api, engine, start_server, guard, workers
):
    member, pack = pack_holder(api, credits=1)
    first, second = (
        booked(
            api,
            session_id=make_session(api)["id"],
            contact_id=member["id"],
            payment_option="MEMBERSHIP_OFFLINE",
        )
        for _ in range(2)
    )
    server = start_server(workers=workers, guard=guard)

    answers = release_together(
        server,
        api.owner_key,
        [
            Call(
                "POST",
                f"/v1/bookings/{b['id']}/redeem",
                {"membership_id": pack["id"]},
            )
            for b in (first, second)
        ],
    )

    def one_credit_spent_once() -> None:
        # Without locks, PostgreSQL redeems both from the one credit (two
        # active redemptions, the ledger at -1); SQLite (DEFERRED) answers
        # the second writer 503 database_busy ("database is locked").
        assert outcome(answers) == {(200, None): 1, (409, "insufficient_credits"): 1}
        statuses = {
            b["id"]: api.ok("GET", f"/v1/bookings/{b['id']}")["payment_status"]
            for b in (first, second)
        }
        winner = next(a.body["id"] for a in answers if a.status == 200)
        assert sorted(statuses.values()) == ["NOT_PAID", "PAID_BY_PLAN"]
        assert statuses[winner] == "PAID_BY_PLAN"
        assert api.ok("GET", f"/v1/memberships/{pack['id']}")["credits_left"] == 0
        assert breaches(engine) == []

    guard.verify(one_credit_spent_once)


@pytest.mark.parametrize("workers", WORKERS)
def test_two_mark_paid_calls_on_one_order_record_one_payment(
    api, engine, start_server, guard, workers
):
    session = make_session(api)
    contact = make_contact(api, first_name="Cal", email="cal@example.test")
    order_id = booked(api, session_id=session["id"], contact_id=contact["id"])[
        "order_id"
    ]
    server = start_server(workers=workers, guard=guard)

    answers = release_together(
        server,
        api.owner_key,
        [Call("POST", f"/v1/orders/{order_id}/mark-paid", {}) for _ in range(2)],
    )

    def paid_once() -> None:
        # Without locks, PostgreSQL records the 15.00 twice (two payments,
        # the order's paid still 15.00); SQLite (DEFERRED) answers the
        # second writer 503 database_busy ("database is locked").
        assert outcome(answers) == {(200, None): 1, (409, "nothing_due"): 1}
        order = api.ok("GET", f"/v1/orders/{order_id}")
        assert [p["amount"]["amount"] for p in order["payments"]] == ["15.00"]
        assert order["payment_status"] == "PAID"
        assert order["balance"]["paid"]["amount"] == "15.00"
        assert order["balance"]["due"]["amount"] == "0.00"
        assert breaches(engine) == []

    guard.verify(paid_once)


@pytest.mark.parametrize("workers", WORKERS)
def test_two_cancellations_of_a_plan_paid_booking_return_the_credit_once(
    api, engine, start_server, guard, workers
):
    member, pack = pack_holder(api, credits=5)
    booking = booked(
        api,
        session_id=make_session(api)["id"],
        contact_id=member["id"],
        payment_option="MEMBERSHIP",
    )
    assert api.ok("GET", f"/v1/memberships/{pack['id']}")["credits_left"] == 4
    server = start_server(workers=workers, guard=guard)

    answers = release_together(
        server,
        api.owner_key,
        [
            Call(
                "POST",
                f"/v1/bookings/{booking['id']}/cancel",
                {"revision": booking["revision"]},
            )
            for _ in range(2)
        ],
    )

    def canceled_once() -> None:
        # Without locks, PostgreSQL answers both 200 and announces two
        # booking.canceled events; SQLite (DEFERRED) answers the second
        # writer 503 database_busy ("database is locked").
        assert sorted(a.status for a in answers) == [200, 409], answers
        [refused] = [a for a in answers if a.status == 409]
        assert refused.code in ("stale_revision", "booking_ended")
        assert api.ok("GET", f"/v1/bookings/{booking['id']}")["status"] == "CANCELED"
        assert api.ok("GET", f"/v1/memberships/{pack['id']}")["credits_left"] == 5
        for fact in ("booking.canceled", "membership.redemption_reversed"):
            events = api.ok("GET", f"/v1/events?type={fact}&limit=500")["items"]
            assert len(events) == 1, (fact, events)
        assert breaches(engine) == []

    guard.verify(canceled_once)
