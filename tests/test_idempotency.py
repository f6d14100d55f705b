"""Idempotency-Key on writes: one piece of work per key, its first answer replayed."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from starlette.testclient import TestClient

from frontdesk.auth.scopes import ALL_SCOPES
from frontdesk.bookings import service as bookings
from frontdesk.clock import utc_now
from frontdesk.db.engine import make_engine
from frontdesk.db.unit_of_work import session_factory, unit_of_work
from frontdesk.idempotency import service
from frontdesk.idempotency.models import IdempotencyKey, KeyState
from tests.client import ApiClient
from tests.factories import make_contact, make_session

REPLAYED = "Idempotent-Replayed"


def _keyed(key: str, **headers: str) -> dict[str, str]:
    return {"Idempotency-Key": key, **headers}


def _booking_body(session: dict[str, Any], contact: dict[str, Any], **extra: Any):
    return {
        "session_id": session["id"],
        "contact_id": contact["id"],
        "payment_option": "OFFLINE",
        "participants": 1,
        **extra,
    }


def _cash_booking(api: ApiClient) -> dict[str, Any]:
    session = make_session(api, service_kwargs={"price": "15.00"})
    contact = make_contact(api, email="retry@example.test")
    return _booking_body(
        session, contact, payment={"method": "cash", "amount": "15.00"}
    )


def _bookings_of(api: ApiClient, session_id: str) -> list[dict[str, Any]]:
    return api.ok("GET", f"/v1/bookings?session_id={session_id}&limit=500")["items"]


def _event_types(api: ApiClient) -> Counter[str]:
    return Counter(e["type"] for e in api.ok("GET", "/v1/events?limit=500")["items"])


def _key_rows(api: ApiClient) -> list[IdempotencyKey]:
    with unit_of_work(session_factory(api.engine, read_only=True)) as db:
        return list(db.scalars(select(IdempotencyKey).order_by(IdempotencyKey.key)))


def _set_key(api: ApiClient, key: str, **values: Any) -> None:
    """Rewrite the stored key directly, as time or a crash would have left it."""
    with unit_of_work(api.sessions) as db:
        db.execute(
            update(IdempotencyKey).where(IdempotencyKey.key == key).values(**values)
        )


def _age_key(api: ApiClient, key: str, age: timedelta) -> None:
    _set_key(api, key, created_at=utc_now() - age)


def _store_claim(
    api: ApiClient, *, key: str, body: dict[str, Any], state: KeyState, age: timedelta
) -> None:
    """A claim on POST /v1/bookings as an earlier attempt would have left it."""
    with unit_of_work(api.sessions) as db:
        db.add(
            IdempotencyKey(
                owner=service.owner_of(api.owner_key),
                key=key,
                method="POST",
                path="/v1/bookings",
                fingerprint=service.fingerprint_of(
                    method="POST",
                    path="/v1/bookings",
                    query_string=b"",
                    body=json.dumps(body).encode(),
                ),
                state=state,
                created_at=utc_now() - age,
            )
        )


def test_a_retried_cash_booking_replays_the_first_answer_and_books_once(api):
    body = _cash_booking(api)

    first = api.post("/v1/bookings", body, headers=_keyed("book-1"))
    # The same body with its keys in another order is the same request.
    retry = api.call(
        "POST",
        "/v1/bookings",
        content=json.dumps(dict(reversed(body.items())), indent=2),
        headers=_keyed("book-1", **{"Content-Type": "application/json"}),
    )

    assert first.status_code == 201
    assert REPLAYED not in first.headers
    assert retry.status_code == 201
    assert retry.headers[REPLAYED] == "true"
    assert retry.headers["content-type"] == first.headers["content-type"]
    assert retry.json() == first.json()
    booking = first.json()
    assert booking["payment_status"] == "PAID"
    assert [b["id"] for b in _bookings_of(api, body["session_id"])] == [booking["id"]]
    orders = api.ok("GET", f"/v1/orders?contact_id={body['contact_id']}")["items"]
    assert [o["id"] for o in orders] == [booking["order_id"]]
    order = api.ok("GET", f"/v1/orders/{booking['order_id']}")
    assert [p["amount"]["amount"] for p in order["payments"]] == ["15.00"]
    events = _event_types(api)
    assert events["booking.created"] == 1
    assert events["payment.recorded"] == 1


def test_the_same_key_with_another_body_is_refused_and_writes_nothing(api):
    body = _cash_booking(api)
    api.ok("POST", "/v1/bookings", body, status=201, headers=_keyed("book-1"))
    events_before = _event_types(api)

    other_body = api.post(
        "/v1/bookings", {**body, "participants": 2}, headers=_keyed("book-1")
    )
    other_path = api.post(
        "/v1/contacts",
        {"first_name": "Bo", "last_name": "Lane", "email": "bo@example.test"},
        headers=_keyed("book-1"),
    )

    for refused in (other_body, other_path):
        assert refused.status_code == 422
        assert refused.json()["code"] == "idempotency_key_reused"
    assert len(_bookings_of(api, body["session_id"])) == 1
    emails = [c["email"] for c in api.ok("GET", "/v1/contacts?limit=500")["items"]]
    assert "bo@example.test" not in emails
    assert _event_types(api) == events_before


def test_a_cancellation_sent_twice_announces_one_cancellation(api):
    # S13: a client retries a cancellation with the same idempotency key.
    session = make_session(api)
    contact = make_contact(api, email="s13@example.test")
    booking = api.ok(
        "POST", "/v1/bookings", _booking_body(session, contact), status=201
    )
    cancel = f"/v1/bookings/{booking['id']}/cancel"
    body = {"revision": booking["revision"]}

    first = api.post(cancel, body, headers=_keyed("cancel-1"))
    second = api.post(cancel, body, headers=_keyed("cancel-1"))
    unkeyed = api.post(cancel, body)

    assert first.status_code == 200
    assert first.json()["status"] == "CANCELED"
    assert second.status_code == 200
    assert second.headers[REPLAYED] == "true"
    assert second.json() == first.json()
    # Without the key the same call is the second cancellation it would be.
    assert unkeyed.status_code == 409
    canceled = api.ok(
        "GET", f"/v1/events?subject_id={booking['id']}&type=booking.canceled"
    )["items"]
    assert len(canceled) == 1


def test_a_full_session_refusal_replays_even_after_a_place_frees(api):
    session = make_session(api, service_kwargs={"capacity": 1})
    first = make_contact(api, email="first@example.test")
    late = make_contact(api, email="late@example.test")
    seated = api.ok("POST", "/v1/bookings", _booking_body(session, first), status=201)

    refused = api.post(
        "/v1/bookings", _booking_body(session, late), headers=_keyed("late-1")
    )
    api.ok(
        "POST",
        f"/v1/bookings/{seated['id']}/cancel",
        {"revision": seated["revision"]},
    )
    retry = api.post(
        "/v1/bookings", _booking_body(session, late), headers=_keyed("late-1")
    )

    assert refused.status_code == 409
    assert refused.json()["code"] == "session_full"
    assert retry.status_code == 409
    assert retry.headers[REPLAYED] == "true"
    assert retry.json() == refused.json()
    assert api.ok("GET", f"/v1/sessions/{session['id']}")["remaining"] == 1
    assert api.ok("GET", f"/v1/bookings?contact_id={late['id']}")["items"] == []
    # The place really is free: a new key books it.
    fresh = api.post(
        "/v1/bookings", _booking_body(session, late), headers=_keyed("late-2")
    )
    assert fresh.status_code == 201


def test_a_validation_failure_is_not_kept_so_the_corrected_request_runs(api):
    session = make_session(api)
    contact = make_contact(api, email="typo@example.test")
    body = _booking_body(session, contact)

    invalid = api.post(
        "/v1/bookings", {**body, "participants": "two"}, headers=_keyed("fix-1")
    )
    corrected = api.post("/v1/bookings", body, headers=_keyed("fix-1"))

    assert invalid.status_code == 422
    assert invalid.json()["code"] == "validation_error"
    assert corrected.status_code == 201
    assert REPLAYED not in corrected.headers
    assert len(_bookings_of(api, session["id"])) == 1


@pytest.mark.parametrize(
    ("failure", "status", "code"),
    [
        (RuntimeError("the disk is full"), 500, "internal_error"),
        # Two writes collided; the answer itself tells the client to retry.
        (IntegrityError("INSERT", {}, Exception("unique")), 409, "conflict"),
    ],
)
def test_an_answer_that_rolled_back_is_not_kept_so_a_retry_runs(
    api, monkeypatch, failure, status, code
):
    session = make_session(api)
    contact = make_contact(api, email="flaky@example.test")
    body = _booking_body(session, contact)

    def fail(*_args: Any, **_kwargs: Any) -> None:
        raise failure

    with monkeypatch.context() as patch:
        patch.setattr(bookings, "book", fail)
        failed = api.post("/v1/bookings", body, headers=_keyed("flaky-1"))
    retry = api.post("/v1/bookings", body, headers=_keyed("flaky-1"))

    assert failed.status_code == status
    assert failed.json()["code"] == code
    assert retry.status_code == 201
    assert REPLAYED not in retry.headers
    assert len(_bookings_of(api, session["id"])) == 1


def test_keys_belong_to_the_api_key_that_sent_them(api):
    session = make_session(api)
    contact = make_contact(api, email="two-desks@example.test")
    body = _booking_body(session, contact)
    other_desk = api.new_key(ALL_SCOPES, name="second desk")

    mine = api.post("/v1/bookings", body, headers=_keyed("same-key"))
    theirs = api.post("/v1/bookings", body, key=other_desk, headers=_keyed("same-key"))

    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert REPLAYED not in theirs.headers
    assert mine.json()["id"] != theirs.json()["id"]
    assert len(_bookings_of(api, session["id"])) == 2


def test_a_key_23_hours_old_still_replays(api):
    body = _cash_booking(api)
    first = api.post("/v1/bookings", body, headers=_keyed("day-old"))
    _age_key(api, "day-old", timedelta(hours=23))

    retry = api.post("/v1/bookings", body, headers=_keyed("day-old"))

    assert retry.status_code == 201
    assert retry.headers[REPLAYED] == "true"
    assert retry.json() == first.json()
    assert len(_bookings_of(api, body["session_id"])) == 1


def test_a_key_25_hours_old_is_pruned_and_its_request_runs_again(api):
    body = _cash_booking(api)
    first = api.post("/v1/bookings", body, headers=_keyed("too-old"))
    _age_key(api, "too-old", timedelta(hours=25))

    # Any claim prunes the expired keys.
    api.ok(
        "POST",
        "/v1/contacts",
        {"first_name": "Cy", "last_name": "Pool", "email": "cy@example.test"},
        status=201,
        headers=_keyed("next-day"),
    )
    kept = [row.key for row in _key_rows(api)]
    again = api.post("/v1/bookings", body, headers=_keyed("too-old"))

    assert kept == ["next-day"]
    assert again.status_code == 201
    assert REPLAYED not in again.headers
    assert again.json()["id"] != first.json()["id"]
    assert len(_bookings_of(api, body["session_id"])) == 2


def test_a_key_longer_than_255_characters_is_refused(api):
    session = make_session(api)
    contact = make_contact(api, email="long@example.test")
    body = _booking_body(session, contact)

    too_long = api.post("/v1/bookings", body, headers=_keyed("k" * 256))
    longest = api.post("/v1/bookings", body, headers=_keyed("k" * 255))

    assert too_long.status_code == 422
    assert too_long.json()["code"] == "validation_error"
    assert longest.status_code == 201
    assert len(_bookings_of(api, session["id"])) == 1


def test_reads_unkeyed_writes_and_unknown_callers_leave_no_key(api):
    session = make_session(api)
    contact = make_contact(api, email="plain@example.test")
    body = _booking_body(session, contact)

    read = api.get(f"/v1/sessions/{session['id']}", headers=_keyed("read-1"))
    unknown = api.post(
        "/v1/bookings", body, key="fd_not_a_key", headers=_keyed("guess-1")
    )
    plain = [api.post("/v1/bookings", body).status_code for _ in range(2)]

    assert read.status_code == 200
    assert unknown.status_code == 401
    assert plain == [201, 201]
    assert _key_rows(api) == []


def test_a_young_claim_is_in_progress_and_an_abandoned_one_is_taken_over(api):
    session = make_session(api)
    contact = make_contact(api, email="stale@example.test")
    body = _booking_body(session, contact)
    _store_claim(
        api,
        key="stale-1",
        body=body,
        state=KeyState.IN_PROGRESS,
        age=timedelta(seconds=5),
    )

    running = api.post("/v1/bookings", body, headers=_keyed("stale-1"))
    _age_key(api, "stale-1", service.LEASE + timedelta(seconds=1))
    taken_over = api.post("/v1/bookings", body, headers=_keyed("stale-1"))
    replayed = api.post("/v1/bookings", body, headers=_keyed("stale-1"))

    assert running.status_code == 409
    assert running.json()["code"] == "idempotency_in_progress"
    assert taken_over.status_code == 201
    assert REPLAYED not in taken_over.headers
    assert replayed.headers[REPLAYED] == "true"
    assert replayed.json() == taken_over.json()
    assert [b["id"] for b in _bookings_of(api, session["id"])] == [
        taken_over.json()["id"]
    ]
    [row] = _key_rows(api)
    assert row.state is KeyState.COMPLETED


def test_committed_work_whose_response_was_lost_is_not_done_again(api):
    body = _cash_booking(api)
    api.ok("POST", "/v1/bookings", body, status=201, headers=_keyed("lost-1"))
    # The process died after the work committed, before the response was kept.
    _set_key(
        api,
        "lost-1",
        state=KeyState.COMMITTED,
        response_status=None,
        response_content_type=None,
        response_body=None,
        completed_at=None,
    )

    storing = api.post("/v1/bookings", body, headers=_keyed("lost-1"))
    _age_key(api, "lost-1", service.LEASE + timedelta(seconds=1))
    lost = api.post("/v1/bookings", body, headers=_keyed("lost-1"))

    # Within the lease the first process may still be storing its response.
    assert storing.status_code == 409
    assert storing.json()["code"] == "idempotency_in_progress"
    assert lost.status_code == 409
    assert lost.json()["code"] == "idempotency_response_lost"
    assert len(_bookings_of(api, body["session_id"])) == 1
    assert _event_types(api)["payment.recorded"] == 1


class _SlowDesk:
    """The app over an engine that pauses inside booking, and two clients."""

    def __init__(self, database_url: str) -> None:
        self.engine = make_engine(database_url, race_window_seconds=0.5)
        self.api = ApiClient(self.engine)
        self.second = TestClient(self.api.app, raise_server_exceptions=False)

    def post_in_thread(
        self, body: dict[str, Any], key: str, answers: dict[str, Any]
    ) -> threading.Thread:
        def run() -> None:
            answers["first"] = self.api.post("/v1/bookings", body, headers=_keyed(key))

        thread = threading.Thread(target=run)
        thread.start()
        return thread

    def post_from_second_client(self, body: dict[str, Any], key: str) -> Any:
        return self.second.post(
            "/v1/bookings",
            json=body,
            headers=_keyed(key, Authorization=f"Bearer {self.api.owner_key}"),
        )

    def wait_for_claim(self, key: str) -> None:
        deadline = time.monotonic() + 5
        while not [r for r in _key_rows(self.api) if r.key == key]:
            assert time.monotonic() < deadline, "the first request never claimed"
            time.sleep(0.01)

    def close(self) -> None:
        self.second.close()
        self.api.close()
        self.engine.dispose()


@pytest.fixture
def slow_desk(database_url: str):
    desk = _SlowDesk(database_url)
    yield desk
    desk.close()


def test_a_retry_while_the_first_is_running_is_told_to_wait(api, slow_desk):
    session = make_session(api)
    contact = make_contact(api, email="twice@example.test")
    body = _booking_body(session, contact)
    answers: dict[str, Any] = {}

    first = slow_desk.post_in_thread(body, "busy-1", answers)
    slow_desk.wait_for_claim("busy-1")
    meanwhile = slow_desk.post_from_second_client(body, "busy-1")
    first.join(timeout=30)
    later = slow_desk.post_from_second_client(body, "busy-1")

    assert answers["first"].status_code == 201
    assert meanwhile.status_code == 409
    assert meanwhile.json()["code"] == "idempotency_in_progress"
    assert later.status_code == 201
    assert later.headers[REPLAYED] == "true"
    assert later.json() == answers["first"].json()
    assert len(_bookings_of(api, session["id"])) == 1


def test_a_retry_that_overtakes_a_slow_first_attempt_never_doubles_the_work(
    api, slow_desk, monkeypatch
):
    # A lease shorter than the first attempt's pause: the retry finds the
    # claim abandoned while its work is in fact still running.
    monkeypatch.setattr(service, "LEASE", timedelta(seconds=0.2))
    session = make_session(api)
    contact = make_contact(api, email="overtaken@example.test")
    body = _booking_body(session, contact)
    answers: dict[str, Any] = {}

    first = slow_desk.post_in_thread(body, "slow-1", answers)
    slow_desk.wait_for_claim("slow-1")
    time.sleep(0.3)
    retry = slow_desk.post_from_second_client(body, "slow-1")
    first.join(timeout=30)
    final = slow_desk.post_from_second_client(body, "slow-1")

    # Which of the two does the work depends on the database's locking
    # (PostgreSQL: the retry takes over and the first rolls back; SQLite: the
    # retry waits for the first's commit); that it happens once does not.
    [booking] = _bookings_of(api, session["id"])
    answered = [answers["first"], retry]
    made = [a for a in answered if a.status_code == 201 and REPLAYED not in a.headers]
    assert [a.json()["id"] for a in made] == [booking["id"]]
    for other in (a for a in answered if a not in made):
        if other.status_code == 201:
            assert other.json() == made[0].json()
        else:
            assert other.status_code == 409
            assert other.json()["code"] in (
                "idempotency_claim_expired",
                "idempotency_response_lost",
            )
    assert final.status_code == 201
    assert final.headers[REPLAYED] == "true"
    assert final.json()["id"] == booking["id"]


def test_a_busy_database_at_the_claim_is_a_503_the_client_may_retry(api, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from frontdesk.idempotency import middleware

    def locked(*_args: object) -> None:
        raise OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked"))

    monkeypatch.setattr(middleware, "_claim", locked)
    session = make_session(api)
    contact = make_contact(api, email="busy@example.test")
    response = api.post(
        "/v1/bookings",
        {
            "session_id": session["id"],
            "contact_id": contact["id"],
            "payment_option": "OFFLINE",
        },
        headers={"Idempotency-Key": "busy-1"},
    )
    assert response.status_code == 503
    assert response.json()["code"] == "database_busy"
    assert response.headers["Retry-After"] == "1"
