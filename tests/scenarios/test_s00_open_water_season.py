"""S00: the open-water swim season, booked, charged and reconciled."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from frontdesk.db.unit_of_work import unit_of_work
from frontdesk.invariants.checks import check_all
from frontdesk.orders.models import OrderLine
from tests.factories import (
    book,
    make_contact,
    make_location,
    make_plan,
    make_service,
    sell,
)

# UNTIL is in UTC: the end of 2026-08-29 in Denver is 06:00Z on the 30th.
SEASON_RULE = "FREQ=WEEKLY;BYDAY=TU,SA;UNTIL=20260830T055959Z"


def _season(api):
    location = make_location(api, name="Reservoir", timezone="America/Denver")
    service = make_service(
        api,
        name="Open Water Swim",
        capacity=120,
        price="15.00",
        location_id=location["id"],
    )
    sessions = api.ok(
        "POST",
        f"/v1/services/{service['id']}/sessions",
        {
            "start": "2026-06-02T18:30:00-06:00",
            "end": "2026-06-02T19:30:00-06:00",
            "rrule": SEASON_RULE,
        },
        status=201,
    )
    return service, sessions


def test_the_season_has_a_session_every_tuesday_and_saturday_at_half_past_six(api):
    _service, sessions = _season(api)
    starts = [s["start"] for s in sessions]
    # 13 Tuesdays (Jun 2 .. Aug 25) and 13 Saturdays (Jun 6 .. Aug 29).
    assert len(starts) == 26
    assert starts[0] == "2026-06-02T18:30:00-06:00"
    assert starts[-1] == "2026-08-29T18:30:00-06:00"
    assert "2026-07-11T18:30:00-06:00" in starts
    assert all(s["timezone"] == "America/Denver" for s in sessions)
    assert all(s["capacity"] == 120 and s["remaining"] == 120 for s in sessions)


def test_a_hundred_swimmers_are_booked_charged_and_reconciled_in_one_call(api):
    service, sessions = _season(api)
    session = next(s for s in sessions if s["start"] == "2026-07-11T18:30:00-06:00")
    unlimited = make_plan(
        api,
        name="Summer Unlimited",
        kind="UNLIMITED",
        credits=None,
        price="180.00",
        valid_until="2026-08-31T23:59:59-06:00",
    )
    pass_plan = make_plan(
        api,
        name="10-Swim Pass",
        kind="PACK",
        credits=10,
        price="120.00",
        validity={"unit": "MONTH", "count": 6},
    )
    u = make_contact(api, first_name="Una", last_name="Limited", email="u@example.test")
    p = make_contact(api, first_name="Pat", last_name="Pass", email="p@example.test")
    sell(api, plan_id=unlimited["id"], contact_id=u["id"])
    p_pass = sell(api, plan_id=pass_plan["id"], contact_id=p["id"])

    u_booking = book(
        api, session_id=session["id"], contact_id=u["id"], payment_option="MEMBERSHIP"
    ).json()
    p_booking = book(
        api,
        session_id=session["id"],
        contact_id=p["id"],
        payment_option="MEMBERSHIP_OFFLINE",
    ).json()
    cash, later = [], []
    for n in range(98):
        contact = make_contact(
            api,
            first_name="Drop",
            last_name=f"In {n:02d}",
            email=f"dropin{n:02d}@example.test",
        )
        payment = {"method": "cash", "amount": "15.00"} if n < 60 else None
        response = book(
            api,
            session_id=session["id"],
            contact_id=contact["id"],
            payment_option="OFFLINE",
            **({"payment": payment} if payment else {}),
        )
        assert response.status_code == 201, response.text
        (cash if payment else later).append(response.json())
    assert u_booking["payment_status"] == "PAID_BY_PLAN"
    assert p_booking["payment_status"] == "NOT_PAID"

    first_roster = api.ok("GET", f"/v1/sessions/{session['id']}/roster")["items"]
    came_and_paid, no_shows = later[:30], later[30:]
    sheet = (
        [
            {"booking_id": p_booking["id"], "payment": "plan", "attended": True},
            {"booking_id": u_booking["id"], "attended": True},
        ]
        + [{"booking_id": b["id"], "attended": True} for b in cash]
        + [
            {"booking_id": b["id"], "payment": "cash", "attended": True}
            for b in came_and_paid
        ]
        + [
            {"booking_id": b["id"], "payment": "unpaid", "attended": False}
            for b in no_shows
        ]
    )
    result = api.ok("POST", f"/v1/sessions/{session['id']}/reconcile", {"rows": sheet})
    assert result["changed"] == 100

    roster = api.ok("GET", f"/v1/sessions/{session['id']}/roster")["items"]
    assert len(roster) == 100
    assert [r["booking_id"] for r in roster] == [r["booking_id"] for r in first_roster]
    again = api.ok("GET", f"/v1/sessions/{session['id']}/roster")["items"]
    assert [r["booking_id"] for r in again] == [r["booking_id"] for r in roster]

    orders = [api.ok("GET", f"/v1/orders/{r['order_id']}") for r in roster]
    for row, order in zip(roster, orders, strict=True):
        booking_lines = [x for x in order["lines"] if x["kind"] == "BOOKING"]
        assert [x["booking_id"] for x in booking_lines] == [row["booking_id"]]
    for plan_booking in (u_booking, p_booking):
        order = api.ok("GET", f"/v1/orders/{plan_booking['order_id']}")
        assert order["balance"]["total"]["amount"] == "0.00"
        assert order["lines"][0]["paid_by_membership_id"] is not None
    assert api.ok("GET", f"/v1/memberships/{p_pass['id']}")["credits_left"] == 9

    paid_15 = [
        o
        for o in orders
        if o["payment_status"] == "PAID" and o["balance"]["total"]["amount"] == "15.00"
    ]
    assert len(paid_15) == 90
    cash_total = sum(
        float(pay["amount"]["amount"])
        for o in orders
        for pay in o["payments"]
        if pay["method"] == "cash"
    )
    assert cash_total == 1350.00
    assert sum(1 for o in orders if o["payment_status"] == "NOT_PAID") == 8
    attendance = Counter(r["attendance"]["status"] for r in roster)
    assert attendance == {"ATTENDED": 92, "NOT_ATTENDED": 8}

    assert api.ok("GET", f"/v1/sessions/{session['id']}")["start"] == (
        "2026-07-11T18:30:00-06:00"
    )
    assert all(
        b["start"] == "2026-07-11T18:30:00-06:00"
        for b in api.ok("GET", f"/v1/bookings?session_id={session['id']}&limit=500")[
            "items"
        ]
    )
    with unit_of_work(api.sessions) as db:
        assert check_all(db) == []
        live_lines = db.scalars(
            select(OrderLine).where(OrderLine.booking_id.is_not(None))
        )
        assert len(list(live_lines)) == 100


def test_the_same_class_sheet_sent_twice_changes_nothing_the_second_time(api):
    service = make_service(api, capacity=5)
    session = api.ok(
        "POST",
        f"/v1/services/{service['id']}/sessions",
        {"start": "2026-07-11T18:30:00-06:00", "end": "2026-07-11T19:30:00-06:00"},
        status=201,
    )[0]
    contact = make_contact(api, email="twice@example.test")
    booking = book(api, session_id=session["id"], contact_id=contact["id"]).json()
    sheet = {
        "rows": [{"booking_id": booking["id"], "payment": "cash", "attended": True}]
    }

    first = api.ok("POST", f"/v1/sessions/{session['id']}/reconcile", sheet)
    second = api.ok("POST", f"/v1/sessions/{session['id']}/reconcile", sheet)

    assert first["changed"] == 1
    assert second["changed"] == 0
    order = api.ok("GET", f"/v1/orders/{booking['order_id']}")
    assert len(order["payments"]) == 1
    assert order["payment_status"] == "PAID"
