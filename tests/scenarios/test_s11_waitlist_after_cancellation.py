"""S11: the waitlist after a cancellation, with places offered and taken."""

from __future__ import annotations

from tests.factories import book, make_contact, make_session

OFFER_POLICY = {"waitlist": {"enabled": True, "capacity": 5, "offer_hold_minutes": 30}}


def _events(api, booking_id):
    items = api.ok("GET", f"/v1/events?subject_id={booking_id}&limit=500")["items"]
    return [e["type"] for e in reversed(items)]


def _full_class_with_two_waiting(api):
    session = make_session(api, service_kwargs={"capacity": 10, "policy": OFFER_POLICY})
    members = []
    for n in range(10):
        contact = make_contact(api, email=f"member{n}@example.test")
        members.append(
            book(api, session_id=session["id"], contact_id=contact["id"]).json()
        )
    waiting = []
    for name in ("w1", "w2"):
        contact = make_contact(api, email=f"{name}@example.test")
        response = book(api, session_id=session["id"], contact_id=contact["id"])
        assert response.status_code == 201, response.text
        waiting.append(response.json())
    return session, members, waiting


def test_a_promoted_member_leaves_the_line_and_is_never_offered_again(api):
    session, members, (w1, w2) = _full_class_with_two_waiting(api)
    assert [w1["status"], w1["waitlist_position"]] == ["WAITING_LIST", 1]
    assert [w2["status"], w2["waitlist_position"]] == ["WAITING_LIST", 2]
    assert api.ok("GET", f"/v1/sessions/{session['id']}")["waitlist"] == 2

    first = members[0]
    api.ok(
        "POST", f"/v1/bookings/{first['id']}/cancel", {"revision": first["revision"]}
    )
    offered = api.ok("GET", f"/v1/bookings/{w1['id']}")
    assert offered["offered_until"] is not None
    assert api.ok("GET", f"/v1/bookings/{w2['id']}")["waitlist_position"] == 1

    taken = api.ok(
        "POST", f"/v1/bookings/{w1['id']}/confirm", {"revision": offered["revision"]}
    )
    assert taken["status"] == "CONFIRMED"
    assert taken["waitlist_position"] is None
    view = api.ok("GET", f"/v1/sessions/{session['id']}")
    assert (view["booked"], view["remaining"], view["waitlist"]) == (10, 0, 1)

    api.ok("POST", f"/v1/bookings/{w1['id']}/cancel", {"revision": taken["revision"]})

    second_offer = api.ok("GET", f"/v1/bookings/{w2['id']}")
    assert second_offer["offered_until"] is not None
    assert api.ok("GET", f"/v1/bookings/{w1['id']}")["status"] == "CANCELED"
    assert _events(api, w1["id"]).count("booking.place_offered") == 1
    assert _events(api, w2["id"]).count("booking.place_offered") == 1
    view = api.ok("GET", f"/v1/sessions/{session['id']}")
    assert (view["booked"], view["waitlist"]) == (10, 0)


def test_an_offer_cannot_be_taken_by_someone_still_in_line(api):
    _session, _members, (w1, _w2) = _full_class_with_two_waiting(api)
    response = api.post(
        f"/v1/bookings/{w1['id']}/confirm", {"revision": w1["revision"]}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
