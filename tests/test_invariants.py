"""`frontdesk check` names breaches that only a race or a bug could leave."""

from __future__ import annotations

import uuid

from frontdesk.db.unit_of_work import unit_of_work
from frontdesk.events.service import record_event
from frontdesk.invariants.checks import check_all
from tests.factories import book, make_contact, make_session


def test_a_booking_announced_canceled_twice_is_a_breach_of_invariant_6(api):
    session = make_session(api)
    contact = make_contact(api, email="twice@example.test")
    booking = book(api, session_id=session["id"], contact_id=contact["id"]).json()
    api.ok(
        "POST",
        f"/v1/bookings/{booking['id']}/cancel",
        {"revision": booking["revision"]},
    )
    with unit_of_work(api.sessions) as db:
        assert check_all(db) == []
        record_event(
            db,
            type="booking.canceled",
            subject_id=uuid.UUID(booking["id"]),
            data={"booking_id": booking["id"]},
        )

    with unit_of_work(api.sessions) as db:
        found = [str(b) for b in check_all(db)]

    assert found == [
        f"invariant 6: booking {booking['id']}: 2 ending events as CANCELED"
    ]
