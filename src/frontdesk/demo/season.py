"""`frontdesk demo`: scenario S00, the open-water swim season, on the library API.

Each step is its own unit of work, as it would be over HTTP: the season is
set up, the desk books a hundred swimmers, and after the class one call
reconciles the sheet.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session as Db

from frontdesk.auth.scopes import ALL_SCOPES
from frontdesk.auth.service import create_key
from frontdesk.bookings.service import BookingRequest, PaymentRequest, book
from frontdesk.catalog.models import PaymentOption, Service, ServiceType
from frontdesk.catalog.service import create_service
from frontdesk.cli.context import Context
from frontdesk.clock import in_zone
from frontdesk.contacts.service import create_contact
from frontdesk.db.unit_of_work import unit_of_work
from frontdesk.invariants.checks import check_all
from frontdesk.locations.service import create_location
from frontdesk.money import Money
from frontdesk.payments.models import PaymentMethod
from frontdesk.plans.models import Membership, PlanKind, ValidityUnit
from frontdesk.plans.service import create_plan, sell_membership
from frontdesk.reconcile.service import reconcile
from frontdesk.reconcile.sheet import Sheet, SheetPayment, SheetRow
from frontdesk.roster.service import RosterRow, roster
from frontdesk.sessions.models import Session
from frontdesk.sessions.service import schedule_sessions

DENVER = ZoneInfo("America/Denver")
DEMO_REF = "demo:open-water-swim"
SEASON_RULE = "FREQ=WEEKLY;BYDAY=TU,SA;UNTIL=20260830T055959Z"
CLASS_DAY = datetime(2026, 7, 11, 18, 30, tzinfo=DENVER)


def run_demo(context: Context, console: Console) -> tuple[str, uuid.UUID]:
    with unit_of_work(context.sessions) as db:
        existing = db.scalar(select(Service).where(Service.external_ref == DEMO_REF))
    if existing is None:
        session_id = _play_season(context)
    else:
        console.print("The demo season is already in this database; showing it again.")
        session_id = _class_day_session(context, existing.id)
    with unit_of_work(context.sessions) as db:
        _print_roster(db, session_id, console)
        _print_books(db, session_id, console)
        _key, secret = create_key(db, name="demo", scopes=ALL_SCOPES)
    return secret, session_id


def _class_day_session(context: Context, service_id: uuid.UUID) -> uuid.UUID:
    with unit_of_work(context.sessions) as db:
        return db.scalars(
            select(Session.id)
            .where(Session.service_id == service_id)
            .where(Session.start_at == CLASS_DAY)
        ).one()


def _play_season(context: Context) -> uuid.UUID:
    with unit_of_work(context.sessions) as db:
        session_id, u_id, p_id = _set_up_season(db)
    with unit_of_work(context.sessions) as db:
        u_booking = _book(db, session_id, u_id, PaymentOption.MEMBERSHIP)
        p_booking = _book(db, session_id, p_id, PaymentOption.MEMBERSHIP_OFFLINE)
    cash: list[uuid.UUID] = []
    later: list[uuid.UUID] = []
    for n in range(98):
        # Each desk booking is its own transaction, as it is at the counter.
        with unit_of_work(context.sessions) as db:
            contact = create_contact(
                db,
                first_name="Swimmer",
                last_name=f"{n + 1:03d}",
                email=f"swimmer{n + 1:03d}@example.test",
                phone=None,
            )
            paid_now = n < 60
            booking = _book(db, session_id, contact.id, PaymentOption.OFFLINE, paid_now)
            (cash if paid_now else later).append(booking)
    sheet = Sheet(
        rows=[
            SheetRow(booking_id=p_booking, payment=SheetPayment.PLAN, attended=True),
            SheetRow(booking_id=u_booking, attended=True),
            *[SheetRow(booking_id=b, attended=True) for b in cash],
            *[
                SheetRow(booking_id=b, payment=SheetPayment.CASH, attended=True)
                for b in later[:30]
            ],
            *[
                SheetRow(booking_id=b, payment=SheetPayment.UNPAID, attended=False)
                for b in later[30:]
            ],
        ]
    )
    with unit_of_work(context.sessions) as db:
        reconcile(db, session_id=session_id, sheet=sheet)
    return session_id


def _set_up_season(db: Db) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    location = create_location(
        db, name="Clear Lake Reservoir", address="Shore Rd", timezone="America/Denver"
    )
    service = create_service(
        db,
        name="Open Water Swim",
        type=ServiceType.CLASS,
        price=Money.parse("15.00", "USD"),
        capacity=120,
        duration_minutes=60,
        location_id=location.id,
        payment_options=list(PaymentOption),
        external_ref=DEMO_REF,
    )
    first = datetime(2026, 6, 2, 18, 30, tzinfo=DENVER)
    sessions = schedule_sessions(
        db,
        service_id=service.id,
        start=first,
        end=first.replace(hour=19, minute=30),
        rrule=SEASON_RULE,
    )
    unlimited = create_plan(
        db,
        name="Summer Unlimited",
        kind=PlanKind.UNLIMITED,
        price=Money.parse("180.00", "USD"),
        valid_until=datetime(2026, 8, 31, 23, 59, 59, tzinfo=DENVER),
    )
    swim_pass = create_plan(
        db,
        name="10-Swim Pass",
        kind=PlanKind.PACK,
        credits=10,
        price=Money.parse("120.00", "USD"),
        validity_unit=ValidityUnit.MONTH,
        validity_count=6,
    )
    season_start = datetime(2026, 6, 1, tzinfo=DENVER)
    u = create_contact(
        db, first_name="Member", last_name="U", email="u@example.test", phone=None
    )
    p = create_contact(
        db, first_name="Member", last_name="P", email="p@example.test", phone=None
    )
    for contact_id, plan in ((u.id, unlimited), (p.id, swim_pass)):
        sell_membership(
            db,
            plan_id=plan.id,
            contact_id=contact_id,
            starts_at=season_start,
            payment_method=PaymentMethod.CARD_OFFLINE,
            payment_amount=plan.price.amount_string(),
        )
    class_day = next(s for s in sessions if s.start_at == CLASS_DAY)
    return class_day.id, u.id, p.id


def _book(
    db: Db,
    session_id: uuid.UUID,
    contact_id: uuid.UUID,
    option: PaymentOption,
    paid_now: bool = False,
) -> uuid.UUID:
    payment = PaymentRequest(method=PaymentMethod.CASH, amount="15.00")
    booking = book(
        db,
        BookingRequest(
            session_id=session_id,
            contact_id=contact_id,
            participants=1,
            payment_option=option,
            payment=payment if paid_now else None,
            may_defer_plan_payment=True,
        ),
    )
    return booking.id


def _print_roster(db: Db, session_id: uuid.UUID, console: Console) -> None:
    session, rows = roster(db, session_id)
    start = in_zone(session.start_at, session.timezone).isoformat()
    table = Table(title=f"Open Water Swim, {start} ({session.timezone})")
    for column in ("#", "swimmer", "payment", "plan", "attendance"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            str(row.position),
            row.contact.display_name,
            row.payment_label,
            _plan_text(row),
            "" if row.attendance is None else str(row.attendance.status),
        )
    console.print(table)


def _plan_text(row: RosterRow) -> str:
    if row.plan is None or row.membership is None:
        return ""
    left = row.membership.credits_left
    return row.plan.name + ("" if left is None else f" ({left} left)")


def _print_books(db: Db, session_id: uuid.UUID, console: Console) -> None:
    _session, rows = roster(db, session_id)
    orders = [row.order for row in rows if row.order is not None]
    statuses = Counter(str(o.payment_status) for o in orders)
    paid_15 = [o for o in orders if o.total_minor == 1500 and o.paid_minor == 1500]
    cash = sum(o.paid_minor for o in orders)
    attendance = Counter(
        str(row.attendance.status) for row in rows if row.attendance is not None
    )
    passes = db.scalars(select(Membership).where(Membership.credits_total.is_not(None)))
    table = Table(title="The books of the 2026-07-11 session")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_row("bookings", str(len(rows)))
    table.add_row("orders PAID for $15.00", str(len(paid_15)))
    table.add_row("orders NOT_PAID", str(statuses.get("NOT_PAID", 0)))
    table.add_row(
        "orders paid by plan (0.00)", str(sum(o.total_minor == 0 for o in orders))
    )
    table.add_row("money taken at the desk", Money(cash, "USD").formatted())
    table.add_row("ATTENDED", str(attendance.get("ATTENDED", 0)))
    table.add_row("NOT_ATTENDED", str(attendance.get("NOT_ATTENDED", 0)))
    for membership in passes:
        table.add_row("10-Swim Pass credits left", str(membership.credits_left))
    breaches = check_all(db)
    table.add_row(
        "frontdesk check", "no breach" if not breaches else f"{len(breaches)}"
    )
    console.print(table)
