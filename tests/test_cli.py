"""The command line: keys, check, demo, as a studio owner runs them."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from frontdesk.cli.main import app
from frontdesk.settings import get_settings
from tests.factories import book, make_contact, make_session


@pytest.fixture
def run(database_url, monkeypatch):
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", database_url)
    get_settings.cache_clear()
    runner = CliRunner()
    yield lambda *args: runner.invoke(app, list(args))
    get_settings.cache_clear()


def test_keys_create_prints_only_the_secret_and_the_key_works(run, api):
    result = run("keys", "create", "--name", "desk", "--scopes", "bookings.read")
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    assert secret.startswith("fd_") and "\n" not in secret
    assert api.get("/v1/bookings", key=secret).status_code == 200
    assert (
        api.post("/v1/contacts", {"email": "x@example.test"}, key=secret).status_code
        == 403
    )


def test_keys_create_refuses_an_unknown_scope(run):
    result = run("keys", "create", "--name", "x", "--scopes", "bookings.fly")
    assert result.exit_code == 2
    assert "bookings.fly" in result.output


def test_check_is_clean_on_honest_books_and_names_each_breach(run, api, engine):
    session = make_session(api, service_kwargs={"capacity": 2})
    contact = make_contact(api, email="check@example.test")
    booking = book(
        api,
        session_id=session["id"],
        contact_id=contact["id"],
        participants=2,
        payment={"method": "cash", "amount": "30.00"},
    ).json()
    clean = run("check")
    assert clean.exit_code == 0, clean.output
    assert "no breach" in clean.output

    # Tamper behind the API's back: shrink capacity, double the money.
    tamper = create_engine(engine.url)
    with tamper.begin() as connection:
        connection.execute(text("UPDATE sessions SET capacity = 1"))
        connection.execute(text("UPDATE orders SET paid_minor = 6000"))
    tamper.dispose()
    broken = run("check")

    assert broken.exit_code == 1
    assert (
        f"invariant 1: session {session['id']}: 2 booked, capacity 1" in broken.output
    )
    assert f"invariant 3: order {booking['order_id']}: paid reads 6000" in broken.output


def test_demo_plays_the_swim_season_and_prints_its_books(run):
    result = run("demo", "--no-serve")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "2026-07-11T18:30:00-06:00" in out
    for figure in (
        "│ bookings                   │       100 │",
        "│ orders PAID for $15.00     │        90 │",
        "│ orders NOT_PAID            │         8 │",
        "│ ATTENDED                   │        92 │",
        "│ NOT_ATTENDED               │         8 │",
        "│ 10-Swim Pass credits left  │         9 │",
        "│ frontdesk check            │ no breach │",
    ):
        assert figure in out
    again = run("demo", "--no-serve")
    assert again.exit_code == 0, again.output
    assert "already in this database" in again.output
