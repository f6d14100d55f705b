"""`frontdesk import wix`: the Wix Bookings records of a Pilates studio move in.

The expected values were worked out from tests/fixtures/wix-bookings/ with a
few lines of Python over the JSON (`json.load`, `collections.Counter`); each
constant says how.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from frontdesk.attendance.models import Attendance, AttendanceStatus
from frontdesk.bookings.models import Booking, BookingPaymentStatus, BookingStatus
from frontdesk.catalog.models import Service
from frontdesk.cli.main import app
from frontdesk.contacts.models import Contact
from frontdesk.db.registry import metadata
from frontdesk.db.unit_of_work import unit_of_work
from frontdesk.imports.wix import ImportReport, import_directory
from frontdesk.imports.wix_report import RecordKind
from frontdesk.invariants.checks import check_all
from frontdesk.locations.models import Location
from frontdesk.orders.models import Order, OrderLine, OrderPaymentStatus, OrderStatus
from frontdesk.payments.models import Payment
from frontdesk.plans.models import Membership, Plan, Redemption, RedemptionStatus
from frontdesk.sessions.models import Session
from frontdesk.settings import get_settings
from frontdesk.staff.models import StaffMember
from tests.client import ApiClient

FIXTURES = Path(__file__).parent / "fixtures" / "wix-bookings"

# Records the tests single out, by their Wix id.
PLAN_PAID = "5ce57f18-12aa-4d8c-a725-c7538c233c8c"  # paidPlanDetails + 15 inPerson
PARTLY_PAID = "db5c53bf-88bf-46e7-8028-054b6a8458e5"  # READY, 1 of 150 ILS, payPal
FIVE_FOR_FIFTEEN = "df9a9a88-f5e8-4cd2-b37a-6dde4aece46b"  # 5 x 15 USD, finalPrice 15
NOT_ATTENDED_ONE = "4851b9e5-4667-442c-932f-9dd847da56ed"  # false, numberOfAttendees 1
PLAN_CONTACT = "0f131ebc-6f99-4365-969f-3e4997f03dbc"
BIG_CLASS_SESSION_END = "p4duVp"  # the eXtreme Pilates session of 2020-07-21

# len(services); every one of the 6 has bookings, so none is skipped.
SERVICES = {
    "Front End Course": ("COURSE", 1500, "USD", ["OFFLINE", "ONLINE"]),
    "Gyrotonic": (
        "CLASS",
        1500,
        "USD",
        ["MEMBERSHIP", "MEMBERSHIP_OFFLINE", "OFFLINE", "ONLINE"],
    ),
    "Mat": ("CLASS", 1500, "USD", ["OFFLINE"]),
    "Reformer": ("CLASS", 1500, "USD", ["OFFLINE", "ONLINE"]),
    # Tagged INDIVIDUAL; 150 ILS on both of its bookings.
    "1x1 service": ("APPOINTMENT", 15000, "ILS", ["ONLINE"]),
    # 31 bookings at 200 ILS, 1 at 150: the most common rate prices it.
    "eXtreme Pilates": ("CLASS", 20000, "ILS", ["ONLINE"]),
}
STAFF = 3  # resources tagged "staff": asdasd, Staff Member #1, Staff Member #2
SESSIONS = 9  # 8 distinct singleSession.sessionId + 1 for the Front End Course
CONTACTS = 11  # distinct formInfo.contactDetails.contactId (and emails)
BOOKINGS = 42  # bookingsEntries
PARTICIPANTS = 71  # sum of paymentSelection[].numberOfParticipants
# One order per booking, plus the order of the one eXtreme Plan membership.
ORDERS = BOOKINGS + 1
# amountReceived > 0 on 4 bookings; the plan-paid one's 15 is not recorded.
PAYMENTS = 3
RECEIVED = {"USD": 1500, "ILS": 20100}  # 15 inPerson; 200 inPerson + 1 payPal
# Sum of finalPrice per currency, the plan-paid booking's 15 USD counting 0.
ORDER_TOTALS = {"USD": 15000, "ILS": 1105000}
# 38 received nothing; 1 received 1 of 150; 2 received all; the plan-paid
# booking's order and the membership's order total 0.00 and owe nothing.
PAYMENT_STATUSES = {"NOT_PAID": 38, "PARTIALLY_PAID": 1, "PAID": 4}
# What the 38 NOT_PAID orders owe: every finalPrice less the paid orders'.
NOT_PAID_DUE = {"USD": 13500, "ILS": 1070000}
# attendanceInfo on 5 bookings: 4 attendanceStatus true, 1 false.
ATTENDANCE = {"ATTENDED": 4, "NOT_ATTENDED": 1}


def run_import(api: ApiClient, directory: Path = FIXTURES) -> ImportReport:
    with unit_of_work(api.sessions) as db:
        return import_directory(db, directory)


def row_counts(api: ApiClient) -> dict[str, int]:
    with unit_of_work(api.sessions) as db:
        return {
            table.name: int(db.scalar(select(func.count()).select_from(table)) or 0)
            for table in metadata.sorted_tables
        }


def count(db: Any, model: type[Any]) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def booking_by_ref(db: Any, wix_id: str) -> Booking:
    booking = db.scalar(select(Booking).filter_by(external_ref=f"wix:booking:{wix_id}"))
    assert booking is not None
    return booking


def created(report: ImportReport) -> dict[str, int]:
    return {kind.value: c.created for kind, c in report.counts.items()}


def notes_about(report: ImportReport, record_id: str) -> list[str]:
    return [note.reason for note in report.notes if note.record_id == record_id]


def test_the_export_becomes_services_staff_sessions_contacts_and_bookings(api):
    report = run_import(api)

    assert created(report) == {
        "location": 1,
        "staff member": STAFF,
        "service": len(SERVICES),
        "session": SESSIONS,
        "contact": CONTACTS,
        "plan": 1,
        "membership": 1,
        "booking": BOOKINGS,
        "order": ORDERS,
        "payment": PAYMENTS,
        "attendance": sum(ATTENDANCE.values()),
    }
    assert report.skipped == []
    with unit_of_work(api.sessions) as db:
        [location] = db.scalars(select(Location)).all()
        assert location.timezone == "Asia/Jerusalem"
        services = {s.name: s for s in db.scalars(select(Service))}
        assert {
            name: (s.type.value, s.price_minor, s.currency, s.payment_options)
            for name, s in services.items()
        } == SERVICES
        assert services["Mat"].policy == {
            "max_participants_per_booking": 1,
            "waitlist": {"enabled": False, "capacity": 10, "time_window_minutes": 10},
        }
        assert {s.location_id for s in services.values()} == {location.id}
        assert count(db, StaffMember) == STAFF
        assert count(db, Session) == SESSIONS
        assert count(db, Contact) == CONTACTS
        bookings = list(db.scalars(select(Booking)))
        assert len(bookings) == BOOKINGS
        assert sum(b.participants for b in bookings) == PARTICIPANTS
        assert {b.status for b in bookings} == {BookingStatus.CONFIRMED}
        course = services["Front End Course"]
        assert [b.session_id for b in bookings if b.service_id == course.id] == [
            None,
            None,
        ]


def test_history_is_kept_past_the_policy_and_capacity_with_each_change_reported(api):
    report = run_import(api)

    with unit_of_work(api.sessions) as db:
        big = db.scalar(
            select(Session).where(
                Session.external_ref.like(f"%{BIG_CLASS_SESSION_END}")
            )
        )
        assert big is not None
        # 30 bookings: 7 + 17 + 28 x 1 participants, over the default of 10.
        assert big.capacity == 52
        staff = db.get(StaffMember, big.staff_member_id)
        assert staff is not None and staff.name == "Staff Member #1"
        roster = list(
            db.scalars(
                select(Booking)
                .where(Booking.session_id == big.id)
                .order_by(Booking.roster_position)
            )
        )
        assert [b.roster_position for b in roster] == list(range(1, 31))
        assert [b.created_at for b in roster] == sorted(b.created_at for b in roster)
        assert booking_by_ref(db, FIVE_FOR_FIFTEEN).participants == 5
        assert check_all(db) == []
    raises = [n for n in report.adjusted if "capacity raised" in n.reason]
    assert [n.reason.split(": ", 1)[1] for n in raises] == [
        "capacity raised from 10 to 52, the participants the export booked on it"
    ]
    over_policy = [n for n in report.adjusted if "bypasses that policy" in n.reason]
    assert sorted(int(n.reason.split()[0]) for n in over_policy) == [4, 5, 7, 17]
    assert any("one session spans the course" in n.reason for n in report.adjusted)
    assert notes_about(report, FIVE_FOR_FIFTEEN)[0] == (
        "charged 15.00 USD (the export's finalPrice), not the rate 15.00 USD x 5 "
        "= 75.00 USD"
    )


def test_orders_hold_what_was_received_and_what_is_still_due(api):
    run_import(api)

    with unit_of_work(api.sessions) as db:
        orders = list(db.scalars(select(Order)))
        assert len(orders) == ORDERS
        assert Counter(o.payment_status.value for o in orders) == PAYMENT_STATUSES
        totals: Counter[str] = Counter()
        for order in orders:
            totals[order.currency] += order.total_minor
        assert totals == ORDER_TOTALS
        payments = list(db.scalars(select(Payment)))
        assert len(payments) == PAYMENTS
        received: Counter[str] = Counter()
        for payment in payments:
            received[payment.currency] += payment.amount_minor
        assert received == RECEIVED
        assert Counter(p.method.value for p in payments) == {"cash": 2, "online": 1}
        assert all(p.external_ref == f"wix:payment:{p.reference}" for p in payments)
        partly = db.get(Order, booking_by_ref(db, PARTLY_PAID).order_id)
        assert partly is not None
        assert (partly.total_minor, partly.paid_minor, partly.currency) == (
            15000,
            100,
            "ILS",
        )
        assert partly.payment_status is OrderPaymentStatus.PARTIALLY_PAID
        assert booking_by_ref(db, PARTLY_PAID).payment_status is (
            BookingPaymentStatus.PARTIALLY_PAID
        )
        assert check_all(db) == []


def test_the_plan_paid_booking_is_a_redemption_of_the_imported_plan(api):
    report = run_import(api)

    with unit_of_work(api.sessions) as db:
        [plan] = db.scalars(select(Plan)).all()
        assert (plan.name, plan.kind.value, plan.price_minor, plan.currency) == (
            "eXtreme Plan",
            "UNLIMITED",
            0,
            "USD",
        )
        assert plan.service_ids is None
        [membership] = db.scalars(select(Membership)).all()
        contact = db.get(Contact, membership.contact_id)
        assert contact is not None
        assert contact.external_ref == f"wix:contact:{PLAN_CONTACT}"
        booking = booking_by_ref(db, PLAN_PAID)
        assert booking.payment_status is BookingPaymentStatus.PAID_BY_PLAN
        assert booking.payment_option.value == "MEMBERSHIP"
        [redemption] = db.scalars(select(Redemption)).all()
        assert (redemption.booking_id, redemption.status) == (
            booking.id,
            RedemptionStatus.ACTIVE,
        )
        [line] = db.scalars(select(OrderLine).filter_by(booking_id=booking.id))
        assert line.paid_by_membership_id == membership.id
        assert (
            db.scalar(
                select(func.count())
                .select_from(Payment)
                .where(Payment.order_id == booking.order_id)
            )
            == 0
        )
    order = api.ok("GET", f"/v1/orders/{booking.order_id}")
    assert order["balance"]["total"]["amount"] == "0.00"
    assert order["payment_status"] == "PAID"
    assert order["lines"][0]["paid_by_membership_id"] == str(membership.id)
    assert notes_about(report, PLAN_PAID) == [
        "15.00 USD received (inPerson, tx a67afe21-c60f-49d8-9eb6-cddbda673cdd) was "
        "not recorded: the plan 'eXtreme Plan' paid for the booking, so its order "
        "totals 0.00"
    ]


def test_attendance_is_imported_as_attended_or_not(api):
    report = run_import(api)

    with unit_of_work(api.sessions) as db:
        rows = list(db.scalars(select(Attendance)))
        assert Counter(a.status.value for a in rows) == ATTENDANCE
        absent = db.get(Attendance, booking_by_ref(db, NOT_ATTENDED_ONE).id)
        assert absent is not None
        assert (absent.status, absent.attendees) == (AttendanceStatus.NOT_ATTENDED, 0)
        assert sum(a.attendees for a in rows) == 4
    assert notes_about(report, NOT_ATTENDED_ONE) == [
        "marked not attended with 1 attendee(s); NOT_ATTENDED with 0 recorded"
    ]


def test_a_second_import_changes_nothing_and_says_all_was_imported(api):
    first = run_import(api)
    before = row_counts(api)

    second = run_import(api)

    assert row_counts(api) == before
    assert set(created(second).values()) == {0}
    assert {k.value: c.existing for k, c in second.counts.items()} == created(first)
    assert second.counts[RecordKind.BOOKING].existing == BOOKINGS
    assert second.notes == []
    with unit_of_work(api.sessions) as db:
        assert check_all(db) == []


def test_the_bookings_pending_mark_as_paid_are_settled_in_one_call(api):
    run_import(api)
    with unit_of_work(api.sessions) as db:
        not_paid = list(
            db.scalars(
                select(Order).where(Order.payment_status == OrderPaymentStatus.NOT_PAID)
            )
        )
        due: Counter[str] = Counter()
        for order in not_paid:
            due[order.currency] += order.total_minor - order.paid_minor
    assert len(not_paid) == PAYMENT_STATUSES["NOT_PAID"]
    assert due == NOT_PAID_DUE

    settled = api.ok(
        "POST", "/v1/orders/mark-paid", {"order_ids": [str(o.id) for o in not_paid]}
    )

    assert len(settled) == len(not_paid)
    assert {o["payment_status"] for o in settled} == {"PAID"}
    assert {o["balance"]["due"]["amount"] for o in settled} == {"0.00"}
    with unit_of_work(api.sessions) as db:
        statuses = Counter(o.payment_status.value for o in db.scalars(select(Order)))
        assert statuses == {"PAID": 42, "PARTIALLY_PAID": 1}
        assert count(db, Payment) == PAYMENTS + len(not_paid)
        assert all(
            o.status is OrderStatus.COMPLETE
            for o in db.scalars(select(Order))
            if o.payment_status is OrderPaymentStatus.PAID
        )
        assert check_all(db) == []


def _edited_export(tmp_path: Path) -> Path:
    """The fixture, with records an import must skip and one canceled booking."""
    directory = tmp_path / "wix"
    shutil.copytree(FIXTURES, directory)
    services = json.loads((directory / "services.json").read_text())
    unbooked = json.loads(json.dumps(services["services"][0]))
    unbooked["id"] = "00000000-0000-4000-8000-000000000001"
    unbooked["info"]["name"] = "Aerial Yoga"
    services["services"].append(unbooked)
    (directory / "services.json").write_text(json.dumps(services))

    document = json.loads((directory / "bookings.json").read_text())
    template = document["bookingsEntries"][1]["booking"]  # Reformer, 5 people

    def variant(suffix: str, **changes: Any) -> dict[str, Any]:
        booking = json.loads(json.dumps(template))
        booking["id"] = f"00000000-0000-4000-9000-00000000000{suffix}"
        booking.update(changes)
        return {"booking": booking}

    canceled = variant("1", status="CANCELED")
    unknown_status = variant("2", status="PENDING_CHECKOUT")
    orphan = variant("3")
    orphan["booking"]["bookedEntity"]["serviceId"] = "no-such-service"
    broken = variant("4")
    del broken["booking"]["bookedEntity"]
    document["bookingsEntries"] += [canceled, unknown_status, orphan, broken]
    (directory / "bookings.json").write_text(json.dumps(document))
    return directory


def test_records_that_cannot_move_in_are_skipped_with_the_reason(api, tmp_path):
    report = run_import(api, _edited_export(tmp_path))

    assert {(n.kind, n.record_id, n.reason) for n in report.skipped} == {
        (
            "booking",
            "00000000-0000-4000-9000-000000000004",
            "missing field 'bookedEntity'",
        ),
        (
            "service",
            "00000000-0000-4000-8000-000000000001",
            "Aerial Yoga: no booking in the export gives its price or type",
        ),
        (
            "booking",
            "00000000-0000-4000-9000-000000000002",
            "Wix status PENDING_CHECKOUT has no Frontdesk equivalent",
        ),
        (
            "booking",
            "00000000-0000-4000-9000-000000000003",
            "its service no-such-service was not imported",
        ),
    }
    assert report.counts[RecordKind.BOOKING].created == BOOKINGS + 1
    with unit_of_work(api.sessions) as db:
        canceled = booking_by_ref(db, "00000000-0000-4000-9000-000000000001")
        assert canceled.status is BookingStatus.CANCELED
        order = db.get(Order, canceled.order_id)
        assert order is not None and order.status is OrderStatus.CANCELED
        assert check_all(db) == []


@pytest.fixture
def cli_env(database_url: str) -> Any:
    get_settings.cache_clear()
    yield {
        "FRONTDESK_DATABASE_URL": database_url,
        "FRONTDESK_LOG_LEVEL": "WARNING",
        "COLUMNS": "200",  # rich wraps at the terminal width; keep notes whole
    }
    get_settings.cache_clear()


def test_the_command_prints_counts_and_the_reasons(cli_env):
    runner = CliRunner()

    first = runner.invoke(app, ["import", "wix", str(FIXTURES)], env=cli_env)
    second = runner.invoke(app, ["import", "wix", str(FIXTURES)], env=cli_env)
    check = runner.invoke(app, ["check"], env=cli_env)

    assert first.exit_code == 0, first.output
    rows = {
        line.split("│")[1].strip(): line.split("│")[2].strip()
        for line in first.stdout.splitlines()
        if line.count("│") == 4
    }
    assert rows["bookings"] == "42"
    assert rows["orders"] == "43"
    assert rows["payments"] == "3"
    assert "Imported with a change (16):" in first.stdout
    assert (
        "capacity raised from 10 to 52, the participants the export booked on it"
        in first.stdout
    )
    assert second.exit_code == 0, second.output
    assert "42 bookings already imported" in second.stdout
    assert "1 location already imported" in second.stdout
    assert check.exit_code == 0, check.output
    assert "no breach: the books add up" in check.stdout
