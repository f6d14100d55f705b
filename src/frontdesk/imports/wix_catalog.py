"""The Wix rows that bookings hang on: location, staff, services, contacts,
sessions and the plan that paid for bookings.

Each function finds the row an earlier import made (by `external_ref`) before
it makes one, so a second import of the same records creates nothing.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session as Db

from frontdesk.catalog.models import PaymentOption, Service, ServiceType
from frontdesk.catalog.service import create_service
from frontdesk.clock import in_zone, is_known_zone
from frontdesk.contacts.models import Contact
from frontdesk.contacts.service import create_contact, find_by_email
from frontdesk.errors import FrontdeskError
from frontdesk.imports.wix_records import WixBooking, WixContact, WixExport, WixService
from frontdesk.imports.wix_report import ImportReport, RecordKind
from frontdesk.locations.models import Location
from frontdesk.locations.service import create_location
from frontdesk.money import Money, MoneyError
from frontdesk.orders.models import Order
from frontdesk.plans.models import Membership, Plan, PlanKind
from frontdesk.plans.service import create_plan, sell_membership
from frontdesk.sessions.models import Session
from frontdesk.sessions.service import schedule_sessions
from frontdesk.staff.models import StaffMember
from frontdesk.staff.service import create_staff_member

Row = TypeVar("Row")

LOCATION_NAME = "Studio (from Wix)"
# Wix exports no capacity: these are where an imported session starts, and a
# session is raised to fit what the export booked on it.
DEFAULT_CAPACITY = 10
DEFAULT_DURATION_MINUTES = 60
SERVICE_TYPES = {
    "GROUP": ServiceType.CLASS,
    "INDIVIDUAL": ServiceType.APPOINTMENT,
    "COURSE": ServiceType.COURSE,
}
OFFLINE_VENDORS = frozenset({"inPerson", "offline"})


@dataclass
class ImportRun:
    """What one import has found or made so far, keyed by Wix ids."""

    db: Db
    report: ImportReport
    location: Location | None = None
    staff: dict[str, StaffMember] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    contacts: dict[str, Contact] = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)
    memberships: dict[tuple[str, str], Membership] = field(default_factory=dict)


def external_ref(kind: str, *parts: str, limit: int = 200) -> str:
    """`wix:<kind>:<id>`, or a digest of it when the id outgrows the column."""
    ref = ":".join(("wix", kind, *parts))
    if len(ref) <= limit:
        return ref
    return f"wix:{kind}:sha256:{hashlib.sha256(ref.encode()).hexdigest()}"


def by_ref(db: Db, model: type[Row], ref: str) -> Row | None:
    return db.scalar(select(model).filter_by(external_ref=ref))


def session_key(booking: WixBooking) -> str:
    # A course booking names no session: all bookings of one course schedule
    # share the one session that stands for the whole course.
    return booking.session_id or f"course:{booking.schedule_id}"


def session_ref(booking: WixBooking) -> str:
    if booking.session_id is None:
        return external_ref("course", booking.schedule_id, limit=400)
    return external_ref("session", booking.session_id, limit=400)


def booking_option(booking: WixBooking) -> PaymentOption:
    if booking.plan_name is not None:
        return PaymentOption.MEMBERSHIP
    if booking.vendor in OFFLINE_VENDORS:
        return PaymentOption.OFFLINE
    return PaymentOption.ONLINE


# -- location and staff ------------------------------------------------------


def import_location(run: ImportRun, export: WixExport) -> Location:
    zone = export.business_time_zone
    if zone is None or not is_known_zone(zone):
        run.report.adjust(
            RecordKind.LOCATION, "business", f"no usable time zone ({zone}); UTC used"
        )
        zone = "UTC"
    found = run.db.scalar(
        select(Location)
        .join(Service, Service.location_id == Location.id)
        .where(Service.external_ref.like("wix:service:%"))
        .limit(1)
    ) or run.db.scalar(
        select(Location).filter_by(name=LOCATION_NAME, timezone=zone).limit(1)
    )
    if found is not None:
        run.report.existing(RecordKind.LOCATION)
        return found
    run.report.created(RecordKind.LOCATION)
    return create_location(run.db, name=LOCATION_NAME, address="", timezone=zone)


def import_staff(run: ImportRun, export: WixExport) -> None:
    for resource in export.resources:
        if not resource.is_staff:
            continue
        ref = external_ref("staff", resource.id)
        member = by_ref(run.db, StaffMember, ref)
        if member is None:
            member = create_staff_member(
                run.db, name=resource.name, email=resource.email, external_ref=ref
            )
            run.report.created(RecordKind.STAFF)
        else:
            run.report.existing(RecordKind.STAFF)
        run.staff[resource.id] = member


# -- services ----------------------------------------------------------------


def import_services(run: ImportRun, export: WixExport) -> None:
    bookings_of: dict[str, list[WixBooking]] = defaultdict(list)
    for booking in export.bookings:
        bookings_of[booking.service_id].append(booking)
    for record in export.services:
        found = by_ref(run.db, Service, external_ref("service", record.id))
        if found is not None:
            run.report.existing(RecordKind.SERVICE)
            run.services[record.id] = found
            continue
        own = bookings_of.get(record.id, [])
        if not own:
            run.report.skip(
                RecordKind.SERVICE,
                record.id,
                f"{record.name}: no booking in the export gives its price or type",
            )
            continue
        try:
            run.services[record.id] = _create_service(run, record, own)
        except (FrontdeskError, MoneyError) as exc:
            run.report.skip(RecordKind.SERVICE, record.id, f"{record.name}: {exc}")


def _create_service(
    run: ImportRun, record: WixService, own: list[WixBooking]
) -> Service:
    assert run.location is not None
    type = _service_type(run, record, own)
    options = _payment_options(record)
    if not options:
        options = sorted({booking_option(b) for b in own})
        run.report.adjust(
            RecordKind.SERVICE,
            record.id,
            f"{record.name}: no payment option in the export; "
            f"took those its bookings used ({_names(options)})",
        )
    service = create_service(
        run.db,
        name=record.name,
        type=type,
        price=_service_price(run, record, own),
        capacity=1 if type is ServiceType.APPOINTMENT else DEFAULT_CAPACITY,
        duration_minutes=_duration_minutes(run, record, own),
        location_id=run.location.id,
        payment_options=options,
        policy=_policy(record),
        external_ref=external_ref("service", record.id),
    )
    run.report.created(RecordKind.SERVICE)
    return service


def _service_type(
    run: ImportRun, record: WixService, own: list[WixBooking]
) -> ServiceType:
    tags = Counter(tag for b in own for tag in b.tags if tag in SERVICE_TYPES)
    if not tags:
        run.report.adjust(
            RecordKind.SERVICE,
            record.id,
            f"{record.name}: no GROUP, INDIVIDUAL or COURSE tag on its bookings; "
            "CLASS used",
        )
        return ServiceType.CLASS
    tag, _count = tags.most_common(1)[0]
    if len(tags) > 1:
        run.report.adjust(
            RecordKind.SERVICE,
            record.id,
            f"{record.name}: its bookings are tagged {sorted(tags)}; {tag} kept",
        )
    return SERVICE_TYPES[tag]


def _service_price(run: ImportRun, record: WixService, own: list[WixBooking]) -> Money:
    # The most common rate; on a tie, the latest booking's, being the newest
    # price the studio charged. Each booking keeps its own rate regardless.
    rates = Counter((b.rate.amount, b.rate.currency) for b in own)
    top = max(rates.values())
    chosen = max(
        (b for b in own if rates[(b.rate.amount, b.rate.currency)] == top),
        key=lambda b: b.created,
    ).rate
    price = Money.parse(chosen.amount, chosen.currency)
    if len(rates) > 1:
        seen = ", ".join(f"{a} {c}" for a, c in sorted(rates))
        run.report.adjust(
            RecordKind.SERVICE,
            record.id,
            f"{record.name}: its bookings were priced {seen}; the service is "
            f"priced {price.amount_string()} {price.currency} (most bookings), "
            "each booking keeps its own rate",
        )
    return price


def _duration_minutes(run: ImportRun, record: WixService, own: list[WixBooking]) -> int:
    lengths = Counter(
        int((b.end - b.start).total_seconds() // 60) for b in own if not b.is_course
    )
    if lengths:
        return lengths.most_common(1)[0][0]
    run.report.adjust(
        RecordKind.SERVICE,
        record.id,
        f"{record.name}: the export has no single session of it; "
        f"duration set to {DEFAULT_DURATION_MINUTES} minutes",
    )
    return DEFAULT_DURATION_MINUTES


def _payment_options(record: WixService) -> list[PaymentOption]:
    options = []
    if record.pays_online:
        options.append(PaymentOption.ONLINE)
    if record.pays_in_person:
        options.append(PaymentOption.OFFLINE)
    if record.pays_by_plan:
        options += [PaymentOption.MEMBERSHIP, PaymentOption.MEMBERSHIP_OFFLINE]
    return options


def _policy(record: WixService) -> dict[str, Any]:
    policy: dict[str, Any] = {
        "waitlist": {
            "enabled": record.waitlist_enabled,
            "capacity": record.waitlist_capacity,
            "time_window_minutes": record.waitlist_window_minutes,
        }
    }
    if record.max_participants_per_booking is not None:
        policy["max_participants_per_booking"] = record.max_participants_per_booking
    return policy


def _names(options: Iterable[PaymentOption]) -> str:
    return ", ".join(option.value for option in options)


# -- contacts ----------------------------------------------------------------


def import_contacts(run: ImportRun, bookings: list[WixBooking]) -> None:
    details_of: dict[str, list[WixContact]] = defaultdict(list)
    for booking in bookings:
        details_of[booking.contact.contact_id].append(booking.contact)
    for contact_id, details in details_of.items():
        run.contacts[contact_id] = _contact(run, contact_id, details)


def _contact(run: ImportRun, contact_id: str, details: list[WixContact]) -> Contact:
    ref = external_ref("contact", contact_id)
    found = by_ref(run.db, Contact, ref)
    if found is not None:
        run.report.existing(RecordKind.CONTACT)
        return found
    # A contact's bookings may each carry part of it (a phone on one only):
    # every field takes the first booking that has it.
    email = _first(d.email for d in details)
    found = find_by_email(run.db, email)
    if found is not None:
        if found.external_ref is None:
            found.external_ref = ref
        run.report.existing(RecordKind.CONTACT)
        run.report.adjust(
            RecordKind.CONTACT,
            contact_id,
            f"has the email of contact {found.id}, already there; "
            "its bookings go to that contact",
        )
        return found
    run.report.created(RecordKind.CONTACT)
    return create_contact(
        run.db,
        first_name=_first(d.first_name for d in details) or "",
        last_name=_first(d.last_name for d in details) or "",
        email=email,
        phone=_first(d.phone for d in details),
        external_ref=ref,
    )


def _first(values: Iterable[str | None]) -> str | None:
    return next((v for v in values if v), None)


# -- sessions ----------------------------------------------------------------


def import_sessions(run: ImportRun, bookings: list[WixBooking]) -> None:
    groups: dict[str, list[WixBooking]] = defaultdict(list)
    for booking in bookings:
        if booking.service_id in run.services:
            groups[session_key(booking)].append(booking)
    for key, group in groups.items():
        found = by_ref(run.db, Session, session_ref(group[0]))
        if found is not None:
            run.report.existing(RecordKind.SESSION)
            run.sessions[key] = found
            continue
        session = _create_session(run, key, group)
        if session is not None:
            run.sessions[key] = session


def _create_session(
    run: ImportRun, key: str, group: list[WixBooking]
) -> Session | None:
    assert run.location is not None
    first = group[0]
    service = run.services[first.service_id]
    staff = _session_staff(run, key, group)
    try:
        [session] = schedule_sessions(
            run.db,
            service_id=service.id,
            start=first.start,
            end=first.end,
            timezone=run.location.timezone,
            staff_member_id=staff.id if staff is not None else None,
        )
    except FrontdeskError as exc:
        run.report.skip(RecordKind.SESSION, key, f"{service.name}: {exc}")
        return None
    session.external_ref = session_ref(first)
    run.report.created(RecordKind.SESSION)
    if first.is_course:
        run.report.adjust(
            RecordKind.SESSION,
            first.schedule_id,
            f"{service.name}: the export does not list the course's sessions; one "
            f"session spans the course, {_local(first.start, session)} to "
            f"{_local(first.end, session)}",
        )
    return session


def _session_staff(
    run: ImportRun, key: str, group: list[WixBooking]
) -> StaffMember | None:
    named = [b.staff_resource_id for b in group if b.staff_resource_id]
    if not named:
        return None
    if len(set(named)) > 1:
        run.report.adjust(
            RecordKind.SESSION,
            key,
            f"its bookings name {len(set(named))} staff resources; the first "
            "booking's is kept",
        )
    staff = run.staff.get(named[0])
    if staff is None:
        run.report.adjust(
            RecordKind.SESSION,
            key,
            f"staff resource {named[0]} is not a staff resource of resources.json; "
            "the session has no staff member",
        )
    return staff


def _local(instant: datetime, session: Session) -> str:
    return in_zone(instant, session.timezone).isoformat()


# -- the plan that paid for bookings ------------------------------------------


def import_plans(run: ImportRun, bookings: list[WixBooking]) -> None:
    by_plan: dict[str, list[WixBooking]] = defaultdict(list)
    for booking in bookings:
        if booking.plan_name and booking.service_id in run.services:
            by_plan[booking.plan_name].append(booking)
    for name, group in by_plan.items():
        try:
            plan = _plan(run, name, group)
        except (FrontdeskError, MoneyError) as exc:
            run.report.skip(RecordKind.PLAN, name, str(exc))
            continue
        by_contact: dict[str, list[WixBooking]] = defaultdict(list)
        for booking in group:
            by_contact[booking.contact.contact_id].append(booking)
        for contact_id, own in by_contact.items():
            run.memberships[(name, contact_id)] = _membership(
                run, plan, contact_id, own
            )


def _plan(run: ImportRun, name: str, group: list[WixBooking]) -> Plan:
    until = max(b.end for b in group)
    found = by_ref(run.db, Plan, external_ref("plan", name))
    if found is not None:
        run.report.existing(RecordKind.PLAN)
        if found.valid_until is not None and found.valid_until < until:
            found.valid_until = until
            run.report.adjust(
                RecordKind.PLAN, name, f"validity extended to {until.isoformat()}"
            )
        return found
    price = Money.parse("0", group[0].rate.currency)
    plan = create_plan(
        run.db,
        name=name,
        kind=PlanKind.UNLIMITED,
        price=price,
        valid_until=until,
        service_ids=None,
        external_ref=external_ref("plan", name),
    )
    run.report.created(RecordKind.PLAN)
    run.report.adjust(
        RecordKind.PLAN,
        name,
        "the export names the plan but not its terms: made UNLIMITED, price "
        f"{price.amount_string()} {price.currency}, for every service, valid until "
        f"{until.isoformat()} (the end of the last session it paid for)",
    )
    return plan


def _membership(
    run: ImportRun, plan: Plan, contact_id: str, own: list[WixBooking]
) -> Membership:
    # From the contact's first use of the plan: the booking's time, or the
    # session's if it was booked after the fact.
    starts = min(min(b.created, b.start) for b in own)
    ref = external_ref("membership", plan.name, contact_id)
    found = by_ref(run.db, Membership, ref)
    if found is not None:
        run.report.existing(RecordKind.MEMBERSHIP)
        run.report.existing(RecordKind.ORDER)
        _cover(run, found, plan, starts)
        return found
    membership = sell_membership(
        run.db,
        plan_id=plan.id,
        contact_id=run.contacts[contact_id].id,
        starts_at=starts,
        external_ref=ref,
    )
    order = run.db.get(Order, membership.order_id) if membership.order_id else None
    if order is not None:
        order.external_ref = external_ref("membership-order", plan.name, contact_id)
    run.report.created(RecordKind.MEMBERSHIP)
    run.report.created(RecordKind.ORDER)
    return membership


def _cover(
    run: ImportRun, membership: Membership, plan: Plan, starts: datetime
) -> None:
    """Widen an earlier import's membership to the bookings of a newer export."""
    until = plan.valid_until or membership.valid_until
    if membership.valid_from <= starts and membership.valid_until >= until:
        return
    membership.valid_from = min(membership.valid_from, starts)
    membership.valid_until = max(membership.valid_until, until)
    run.report.adjust(
        RecordKind.MEMBERSHIP,
        str(membership.id),
        "validity widened to cover the plan's bookings in this export",
    )
