"""Wix Bookings API records, read from JSON into typed records.

The shapes are those of the Wix Bookings REST API (v1) as exported by
`bookings/query`, `services/query` and `resources/query`. Reading never
touches the database: a record that cannot be read becomes a problem with its
id and the reason, and the rest of the export is still read.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

Record = TypeVar("Record")

SERVICES_FILE = "services.json"
BOOKINGS_FILE = "bookings.json"
RESOURCES_FILE = "resources.json"


@dataclass(frozen=True)
class WixResource:
    id: str
    name: str
    email: str | None
    tags: frozenset[str]
    time_zone: str | None

    @property
    def is_staff(self) -> bool:
        return "staff" in self.tags

    @property
    def is_business(self) -> bool:
        return "business" in self.tags


@dataclass(frozen=True)
class WixService:
    id: str
    name: str
    max_participants_per_booking: int | None
    waitlist_enabled: bool
    waitlist_capacity: int | None
    waitlist_window_minutes: int | None
    pays_online: bool
    pays_in_person: bool
    pays_by_plan: bool


@dataclass(frozen=True)
class WixPrice:
    amount: str
    currency: str
    down_pay: str


@dataclass(frozen=True)
class WixContact:
    contact_id: str
    first_name: str
    last_name: str
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class WixAttendance:
    attended: bool
    attendees: int


@dataclass(frozen=True)
class WixBooking:
    id: str
    service_id: str
    schedule_id: str
    # None for a course booking (`setOfSessions`): the export names only the
    # first start and the last end of the course, not its sessions.
    session_id: str | None
    start: datetime
    end: datetime
    tags: tuple[str, ...]
    rate: WixPrice
    final_price: WixPrice | None
    amount_received: str
    payment_state: str | None
    vendor: str | None
    tx_id: str | None
    wix_order_id: str | None
    plan_name: str | None
    staff_resource_id: str | None
    contact: WixContact
    participants: int
    status: str
    created: datetime
    attendance: WixAttendance | None

    @property
    def is_course(self) -> bool:
        return self.session_id is None


@dataclass(frozen=True)
class RecordProblem:
    kind: str
    record_id: str
    reason: str


@dataclass(frozen=True)
class WixExport:
    resources: list[WixResource]
    services: list[WixService]
    bookings: list[WixBooking]
    problems: list[RecordProblem]

    @property
    def business_time_zone(self) -> str | None:
        zones = [r.time_zone for r in self.resources if r.is_business and r.time_zone]
        return zones[0] if zones else None


def read_export(directory: Path) -> WixExport:
    problems: list[RecordProblem] = []
    resources = _read_all(
        "resource",
        _items(directory, RESOURCES_FILE, "resources", problems),
        _resource,
        problems,
    )
    services = _read_all(
        "service",
        _items(directory, SERVICES_FILE, "services", problems),
        _service,
        problems,
    )
    entries = _items(directory, BOOKINGS_FILE, "bookingsEntries", problems)
    bookings = _read_all(
        "booking", [e.get("booking", e) for e in entries], _booking, problems
    )
    return WixExport(
        resources=resources, services=services, bookings=bookings, problems=problems
    )


def _items(
    directory: Path, name: str, key: str, problems: list[RecordProblem]
) -> list[dict[str, Any]]:
    """The file's records; a missing or unreadable file is a problem, not a stop,
    so that the report says what could not be read next to what was."""
    try:
        document = json.loads((directory / name).read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(RecordProblem("file", name, "not in the directory"))
        return []
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        problems.append(RecordProblem("file", name, f"unreadable: {exc}"))
        return []
    items = document.get(key) if isinstance(document, dict) else None
    if not isinstance(items, list):
        problems.append(RecordProblem("file", name, f"has no {key!r} list"))
        return []
    return [item for item in items if isinstance(item, dict)]


def _read_all(
    kind: str,
    items: Iterable[dict[str, Any]],
    read: Callable[[dict[str, Any]], Record],
    problems: list[RecordProblem],
) -> list[Record]:
    records = []
    for item in items:
        try:
            records.append(read(item))
        except KeyError as exc:
            problems.append(_problem(kind, item, f"missing field {exc.args[0]!r}"))
        except (TypeError, ValueError) as exc:
            problems.append(_problem(kind, item, f"unreadable record: {exc}"))
    return records


def _problem(kind: str, item: dict[str, Any], reason: str) -> RecordProblem:
    return RecordProblem(kind=kind, record_id=str(item.get("id", "?")), reason=reason)


def _resource(item: dict[str, Any]) -> WixResource:
    zones = [s["timeZone"] for s in item.get("schedules", []) if s.get("timeZone")]
    return WixResource(
        id=item["id"],
        name=item["name"],
        email=item.get("email") or None,
        tags=frozenset(item.get("tags", [])),
        time_zone=zones[0] if zones else None,
    )


def _service(item: dict[str, Any]) -> WixService:
    policy = item.get("policy", {})
    waitlist = policy.get("waitingListPolicy", {})
    options = item.get("paymentOptions", {})
    limit = policy.get("maxParticipantsPerBooking")
    return WixService(
        id=item["id"],
        name=item["info"]["name"],
        max_participants_per_booking=None if limit is None else int(limit),
        waitlist_enabled=bool(waitlist.get("isEnabled", False)),
        waitlist_capacity=_optional_int(waitlist.get("capacity")),
        waitlist_window_minutes=_optional_int(waitlist.get("timeWindowMinutes")),
        pays_online=bool(options.get("wixPayOnline")),
        pays_in_person=bool(options.get("wixPayInPerson")),
        pays_by_plan=bool(options.get("wixPaidPlan")),
    )


def _booking(item: dict[str, Any]) -> WixBooking:
    entity = item["bookedEntity"]
    single = entity.get("singleSession")
    if single is not None:
        session_id, start, end = single["sessionId"], single["start"], single["end"]
    else:
        span = entity["setOfSessions"]
        session_id, start, end = None, span["firstSessionStart"], span["lastSessionEnd"]
    form = item["formInfo"]
    payment = item.get("paymentDetails", {})
    wix_pay = payment.get("wixPayDetails", {})
    resources = item.get("bookedResources", [])
    return WixBooking(
        id=item["id"],
        service_id=entity["serviceId"],
        schedule_id=entity["scheduleId"],
        session_id=session_id,
        start=_instant(start),
        end=_instant(end),
        tags=tuple(entity.get("tags", [])),
        rate=_price(entity["rate"]["labeledPriceOptions"]["general"]),
        final_price=_price(payment["balance"]["finalPrice"]) if payment else None,
        amount_received=str(payment.get("balance", {}).get("amountReceived") or "0"),
        payment_state=payment.get("state"),
        vendor=wix_pay.get("paymentVendorName") or None,
        tx_id=wix_pay.get("txId") or None,
        wix_order_id=wix_pay.get("orderId") or None,
        plan_name=payment.get("paidPlanDetails", {}).get("planName") or None,
        staff_resource_id=resources[0]["id"] if resources else None,
        contact=_contact(form["contactDetails"]),
        participants=sum(
            int(p["numberOfParticipants"]) for p in form.get("paymentSelection", [])
        ),
        status=item["status"],
        created=_instant(item["created"]),
        attendance=_attendance(item.get("attendanceInfo")),
    )


def _contact(details: dict[str, Any]) -> WixContact:
    return WixContact(
        contact_id=details["contactId"],
        first_name=details.get("firstName") or "",
        last_name=details.get("lastName") or "",
        email=details.get("email") or None,
        phone=details.get("phone") or None,
    )


def _price(price: dict[str, Any]) -> WixPrice:
    return WixPrice(
        amount=str(price["amount"]),
        currency=str(price["currency"]),
        down_pay=str(price.get("downPayAmount") or "0"),
    )


def _attendance(info: dict[str, Any] | None) -> WixAttendance | None:
    if info is None or "attendanceStatus" not in info:
        return None
    return WixAttendance(
        attended=bool(info["attendanceStatus"]),
        attendees=int(info.get("numberOfAttendees") or 0),
    )


def _instant(text: str) -> datetime:
    instant = datetime.fromisoformat(text)
    if instant.tzinfo is None:
        raise ValueError(f"{text!r} has no offset")
    return instant


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)
