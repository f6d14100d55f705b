"""`frontdesk import wix DIR`: move in from Wix Bookings.

Reads the `services.json`, `bookings.json` and `resources.json` of a Wix
Bookings API export and makes the location, staff, services, sessions,
contacts, the plan that paid for bookings with its memberships, and each
booking with its order, payment, redemption and attendance. Every row made
carries an `external_ref` ("wix:<kind>:<id>"): importing the same records
again finds them and changes nothing. The caller's unit of work commits.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session as Db

from frontdesk.imports.wix_bookings import import_bookings
from frontdesk.imports.wix_catalog import (
    ImportRun,
    import_contacts,
    import_location,
    import_plans,
    import_services,
    import_sessions,
    import_staff,
)
from frontdesk.imports.wix_records import read_export
from frontdesk.imports.wix_report import ImportReport, RecordKind, print_report
from frontdesk.log import get_logger

__all__ = ["ImportReport", "import_directory", "print_report"]

log = get_logger(__name__)


def import_directory(db: Db, directory: Path) -> ImportReport:
    export = read_export(directory)
    run = ImportRun(db=db, report=ImportReport())
    for problem in export.problems:
        run.report.skip(problem.kind, problem.record_id, problem.reason)
    # Creation order is roster order, and the first booking of a contact or a
    # session is the one whose details win.
    bookings = sorted(export.bookings, key=lambda b: (b.created, b.id))

    run.location = import_location(run, export)
    import_staff(run, export)
    import_services(run, export)
    importable = [b for b in bookings if b.service_id in run.services]
    import_contacts(run, importable)
    import_sessions(run, importable)
    import_plans(run, importable)
    import_bookings(run, bookings)
    bookings_count = run.report.counts[RecordKind.BOOKING]
    log.info(
        "wix.imported",
        bookings_created=bookings_count.created,
        bookings_existing=bookings_count.existing,
        skipped=len(run.report.skipped),
        adjusted=len(run.report.adjusted),
    )
    return run.report
