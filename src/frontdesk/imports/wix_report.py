"""What an import did: counts per kind of row, and every record it skipped or
changed on the way in, each with the record's id and the reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from rich.console import Console
from rich.table import Table
from rich.text import Text


class RecordKind(StrEnum):
    LOCATION = "location"
    STAFF = "staff member"
    SERVICE = "service"
    SESSION = "session"
    CONTACT = "contact"
    PLAN = "plan"
    MEMBERSHIP = "membership"
    BOOKING = "booking"
    ORDER = "order"
    PAYMENT = "payment"
    ATTENDANCE = "attendance"


LABELS = {
    RecordKind.LOCATION: ("location", "locations"),
    RecordKind.STAFF: ("staff member", "staff members"),
    RecordKind.SERVICE: ("service", "services"),
    RecordKind.SESSION: ("session", "sessions"),
    RecordKind.CONTACT: ("contact", "contacts"),
    RecordKind.PLAN: ("plan", "plans"),
    RecordKind.MEMBERSHIP: ("membership", "memberships"),
    RecordKind.BOOKING: ("booking", "bookings"),
    RecordKind.ORDER: ("order", "orders"),
    RecordKind.PAYMENT: ("payment", "payments"),
    RecordKind.ATTENDANCE: ("attendance record", "attendance records"),
}


def label(kind: RecordKind, count: int) -> str:
    singular, plural = LABELS[kind]
    return f"{count} {singular if count == 1 else plural}"


@dataclass
class KindCount:
    created: int = 0
    existing: int = 0


@dataclass(frozen=True)
class ImportNote:
    kind: str
    record_id: str
    reason: str
    skipped: bool


def _zero_counts() -> dict[RecordKind, KindCount]:
    return {kind: KindCount() for kind in RecordKind}


@dataclass
class ImportReport:
    counts: dict[RecordKind, KindCount] = field(default_factory=_zero_counts)
    notes: list[ImportNote] = field(default_factory=list)

    def created(self, kind: RecordKind, count: int = 1) -> None:
        self.counts[kind].created += count

    def existing(self, kind: RecordKind, count: int = 1) -> None:
        self.counts[kind].existing += count

    def skip(self, kind: RecordKind | str, record_id: str, reason: str) -> None:
        self.notes.append(ImportNote(str(kind), record_id, reason, skipped=True))

    def adjust(self, kind: RecordKind | str, record_id: str, reason: str) -> None:
        self.notes.append(ImportNote(str(kind), record_id, reason, skipped=False))

    def merge(self, other: ImportReport) -> None:
        for kind, count in other.counts.items():
            self.created(kind, count.created)
            self.existing(kind, count.existing)
        self.notes.extend(other.notes)

    @property
    def skipped(self) -> list[ImportNote]:
        return [note for note in self.notes if note.skipped]

    @property
    def unreadable_files(self) -> list[ImportNote]:
        return [note for note in self.skipped if note.kind == "file"]

    @property
    def adjusted(self) -> list[ImportNote]:
        return [note for note in self.notes if not note.skipped]


def print_report(report: ImportReport, console: Console) -> None:
    table = Table(title="Wix import")
    table.add_column("records")
    table.add_column("created", justify="right")
    table.add_column("already there", justify="right")
    for kind, count in report.counts.items():
        table.add_row(LABELS[kind][1], str(count.created), str(count.existing))
    console.print(table)
    for kind, count in report.counts.items():
        if count.existing:
            console.print(f"{label(kind, count.existing)} already imported")
    _print_notes(console, "Skipped", report.skipped)
    _print_notes(console, "Imported with a change", report.adjusted)


def _print_notes(console: Console, title: str, notes: list[ImportNote]) -> None:
    if not notes:
        return
    console.print(Text(f"{title} ({len(notes)}):", style="bold"))
    for note in notes:
        # Text, not markup: a reason may hold brackets from the records.
        console.print(Text(f"- {note.kind} {_short(note.record_id)}: {note.reason}"))


def _short(record_id: str) -> str:
    # Wix session ids run to 300+ characters; both ends still find the record.
    if len(record_id) <= 40:
        return record_id
    return f"{record_id[:10]}...{record_id[-10:]}"
