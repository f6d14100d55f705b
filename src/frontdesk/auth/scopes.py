from __future__ import annotations

from enum import StrEnum


class Scope(StrEnum):
    BOOKINGS_READ = "bookings.read"
    BOOKINGS_CREATE = "bookings.create"
    BOOKINGS_MANAGE = "bookings.manage"
    BOOKINGS_OVERRIDE_AVAILABILITY = "bookings.override_availability"
    BOOKINGS_IGNORE_POLICY = "bookings.ignore_policy"
    BOOKINGS_MANAGE_PAYMENTS = "bookings.manage_payments"
    ORDERS_READ = "orders.read"
    ORDERS_MODIFY = "orders.modify"
    PAYMENTS_COLLECT = "payments.collect"
    PAYMENTS_REFUND = "payments.refund"
    PLANS_MANAGE = "plans.manage"
    ATTENDANCE_SET = "attendance.set"
    CATALOG_MANAGE = "catalog.manage"
    CONTACTS_MANAGE = "contacts.manage"
    WEBHOOKS_MANAGE = "webhooks.manage"


ALL_SCOPES = frozenset(Scope)


def parse_scopes(text: str) -> frozenset[Scope]:
    """`all`, or a comma-separated list of scope names."""
    names = {part.strip() for part in text.split(",") if part.strip()}
    if names == {"all"}:
        return ALL_SCOPES
    unknown = names - {s.value for s in Scope}
    if unknown:
        raise ValueError(f"unknown scopes: {', '.join(sorted(unknown))}")
    if not names:
        raise ValueError("at least one scope is needed")
    return frozenset(Scope(n) for n in names)
