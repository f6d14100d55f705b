"""The class sheet: strict about what it reads, never guessing."""

from __future__ import annotations

from tests.factories import book, make_contact, make_session


def _session_with(api, *emails):
    session = make_session(api)
    bookings = []
    for email in emails:
        contact = make_contact(api, email=email)
        bookings.append(
            book(api, session_id=session["id"], contact_id=contact["id"]).json()
        )
    return session, bookings


def _csv(api, session, text):
    return api.call(
        "POST",
        f"/v1/sessions/{session['id']}/reconcile",
        content=text.encode("utf-8") if isinstance(text, str) else text,
        headers={
            "Authorization": f"Bearer {api.owner_key}",
            "Content-Type": "text/csv",
        },
    )


def test_a_csv_sheet_by_email_pays_and_checks_in(api):
    session, (ada, bo) = _session_with(api, "ada@example.test", "bo@example.test")
    sheet = (
        "contact_email,payment,attended\n"
        "ada@example.test,cash,yes\n"
        "BO@example.test,unpaid,no\n"
    )
    result = _csv(api, session, sheet)
    assert result.status_code == 200, result.text
    assert api.ok("GET", f"/v1/bookings/{ada['id']}")["payment_status"] == "PAID"
    bo_after = api.ok("GET", f"/v1/bookings/{bo['id']}")
    assert bo_after["attendance"]["status"] == "NOT_ATTENDED"
    assert bo_after["payment_status"] == "NOT_PAID"


def test_a_dry_run_shows_the_changes_and_makes_none(api):
    session, (ada,) = _session_with(api, "dry@example.test")
    result = api.ok(
        "POST",
        f"/v1/sessions/{session['id']}/reconcile?dry_run=true",
        {"rows": [{"booking_id": ada["id"], "payment": "cash", "attended": True}]},
    )
    assert result["dry_run"] is True
    assert result["rows"][0]["changes"] == ["recorded 15.00 cash", "ATTENDED (1)"]
    after = api.ok("GET", f"/v1/bookings/{ada['id']}")
    assert (after["payment_status"], after["attendance"]) == ("NOT_PAID", None)


def test_an_attended_cell_that_is_neither_yes_nor_no_refuses_the_sheet(api):
    session, (ada,) = _session_with(api, "maybe@example.test")
    result = _csv(api, session, "contact_email,attended\nmaybe@example.test,maybe\n")
    assert result.status_code == 422
    assert "yes or no" in result.json()["detail"]
    assert api.ok("GET", f"/v1/bookings/{ada['id']}")["attendance"] is None


def test_a_csv_that_is_not_utf8_or_has_stray_cells_is_a_422(api):
    session, _ = _session_with(api, "latin@example.test")
    latin = "contact_email,attended\nlatin@example.test,sí\n".encode("latin-1")
    assert _csv(api, session, latin).status_code == 422
    stray = "contact_email,attended\nlatin@example.test,yes,extra\n"
    assert _csv(api, session, stray).status_code == 422


def test_an_email_with_two_bookings_on_the_session_must_name_the_booking(api):
    session = make_session(api)
    contact = make_contact(api, email="twice@example.test")
    for _ in range(2):
        book(api, session_id=session["id"], contact_id=contact["id"])
    result = api.post(
        f"/v1/sessions/{session['id']}/reconcile",
        {"rows": [{"contact_email": "twice@example.test", "attended": True}]},
    )
    assert result.status_code == 422
    assert result.json()["code"] == "reconcile_refused"
    assert "booking_id" in result.json()["rows"][0]["detail"]


def test_a_sheet_that_contradicts_the_books_is_refused_whole(api):
    session, (paid, other) = _session_with(api, "p@example.test", "o@example.test")
    api.ok("POST", f"/v1/orders/{paid['order_id']}/mark-paid", {})
    result = api.post(
        f"/v1/sessions/{session['id']}/reconcile",
        {
            "rows": [
                {"booking_id": other["id"], "payment": "cash", "attended": True},
                {"booking_id": paid["id"], "payment": "unpaid", "attended": True},
            ]
        },
    )
    assert result.status_code == 422
    assert result.json()["rows"] == [
        {
            "row": "2",
            "code": "sheet_contradicts_books",
            "detail": "the sheet says unpaid, the books say PAID",
        }
    ]
    assert api.ok("GET", f"/v1/bookings/{other['id']}")["payment_status"] == "NOT_PAID"
