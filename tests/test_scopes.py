"""API keys carry scopes; a call without the one it needs is a 403."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from frontdesk.auth.models import ApiKey
from frontdesk.auth.scopes import Scope
from frontdesk.db.unit_of_work import unit_of_work
from tests.factories import book, make_contact, make_plan, make_session, sell


def test_keys_are_stored_as_digests_never_as_the_secret(api):
    secret = api.new_key({Scope.BOOKINGS_READ}, name="reader")
    with unit_of_work(api.sessions) as db:
        stored = db.scalar(select(ApiKey).where(ApiKey.name == "reader"))
        assert stored is not None
        assert secret not in (stored.secret_hash, stored.prefix)
        assert len(stored.secret_hash) == 64


@pytest.mark.parametrize(
    "method,path,needed",
    [
        ("POST", "/v1/locations", "catalog.manage"),
        ("POST", "/v1/services", "catalog.manage"),
        ("POST", "/v1/contacts", "contacts.manage"),
        ("POST", "/v1/bookings", "bookings.create"),
        ("POST", "/v1/plans", "plans.manage"),
        ("POST", "/v1/memberships", "plans.manage"),
        ("GET", "/v1/orders", "orders.read"),
    ],
)
def test_a_key_without_the_needed_scope_gets_403_missing_scope(
    api, method, path, needed
):
    weak = api.new_key({Scope.WEBHOOKS_MANAGE})
    response = api.call(method, path, key=weak, json={})
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "missing_scope"
    assert needed in body["detail"]


def test_membership_offline_needs_the_manage_payments_scope(api):
    session = make_session(api)
    member = make_contact(api, email="mo@example.test")
    sell(api, plan_id=make_plan(api)["id"], contact_id=member["id"])
    desk = api.new_key({Scope.BOOKINGS_CREATE, Scope.BOOKINGS_READ})

    refused = book(
        api,
        session_id=session["id"],
        contact_id=member["id"],
        payment_option="MEMBERSHIP_OFFLINE",
        key=desk,
    )

    assert refused.status_code == 403
    assert refused.json()["code"] == "missing_scope"
    assert api.ok("GET", f"/v1/bookings?contact_id={member['id']}")["items"] == []
    staff = api.new_key(
        {Scope.BOOKINGS_CREATE, Scope.BOOKINGS_READ, Scope.BOOKINGS_MANAGE_PAYMENTS}
    )
    allowed = book(
        api,
        session_id=session["id"],
        contact_id=member["id"],
        payment_option="MEMBERSHIP_OFFLINE",
        key=staff,
    )
    assert allowed.status_code == 201


def test_taking_money_with_a_booking_needs_payments_collect(api):
    session = make_session(api)
    member = make_contact(api, email="cash@example.test")
    desk = api.new_key({Scope.BOOKINGS_CREATE})
    refused = book(
        api,
        session_id=session["id"],
        contact_id=member["id"],
        key=desk,
        payment={"method": "cash", "amount": "15.00"},
    )
    assert refused.status_code == 403
    assert api.ok("GET", f"/v1/bookings?contact_id={member['id']}")["items"] == []


def test_redeem_needs_the_manage_payments_scope(api):
    session = make_session(api)
    member = make_contact(api, email="r@example.test")
    pack = sell(api, plan_id=make_plan(api)["id"], contact_id=member["id"])
    booking = book(
        api,
        session_id=session["id"],
        contact_id=member["id"],
        payment_option="MEMBERSHIP_OFFLINE",
    ).json()
    reader = api.new_key({Scope.BOOKINGS_READ})
    response = api.post(
        f"/v1/bookings/{booking['id']}/redeem",
        {"membership_id": pack["id"]},
        key=reader,
    )
    assert response.status_code == 403
    assert api.ok("GET", f"/v1/memberships/{pack['id']}")["credits_left"] == 10
