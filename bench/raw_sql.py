"""The raw SQL baseline: the smallest transaction that books a seat safely,
on the bench's own scratch tables in the same database as the server's.

PostgreSQL: BEGIN; lock the slot row FOR UPDATE; count its seats; insert one
if the count is below the slot's capacity; COMMIT (or ROLLBACK when full).
SQLite: BEGIN IMMEDIATE (the write lock); the same count and insert; COMMIT,
on a connection set up as the application's are (WAL, busy timeout, foreign
keys). The seat count grows as the run goes on, as the bookings of the HTTP
side do. Each call's job is the id of the slot to take a seat on: slot 1 is
too big to fill, the contention scenarios add their own (`add_slots`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Protocol

import psycopg
from outcomes import FULL
from sqlalchemy.engine import make_url

SLOT_ID = 1
SLOT_CAPACITY = 100_000
BUSY_TIMEOUT_MS = 30_000


class SeatTaker(Protocol):
    def run_once(self, slot_id: int) -> str | None: ...

    def close(self) -> None: ...


def _sqlite_path(database_url: str) -> str:
    path = make_url(database_url).database
    if not path:
        raise ValueError(f"not a SQLite file URL: {database_url}")
    return path


def _postgres_conninfo(database_url: str) -> str:
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _sqlite_connect(database_url: str) -> sqlite3.Connection:
    connection = sqlite3.connect(
        _sqlite_path(database_url),
        timeout=BUSY_TIMEOUT_MS / 1000,
        isolation_level=None,
        check_same_thread=False,
    )
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return connection


def create_scratch_tables(database_url: str) -> None:
    """The bench's own two tables; they are not part of Frontdesk's schema."""
    if database_url.startswith("sqlite"):
        connection = _sqlite_connect(database_url)
        try:
            connection.executescript(f"""
                BEGIN IMMEDIATE;
                CREATE TABLE bench_scratch_slot (
                    id INTEGER PRIMARY KEY,
                    capacity INTEGER NOT NULL
                );
                CREATE TABLE bench_scratch_seat (
                    id INTEGER PRIMARY KEY,
                    slot_id INTEGER NOT NULL REFERENCES bench_scratch_slot (id)
                );
                CREATE INDEX bench_scratch_seat_slot ON bench_scratch_seat (slot_id);
                INSERT INTO bench_scratch_slot VALUES ({SLOT_ID}, {SLOT_CAPACITY});
                COMMIT;
            """)
        finally:
            connection.close()
        return
    with psycopg.connect(_postgres_conninfo(database_url)) as connection:
        connection.execute("""
            CREATE TABLE bench_scratch_slot (
                id integer PRIMARY KEY,
                capacity integer NOT NULL
            )
        """)
        connection.execute("""
            CREATE TABLE bench_scratch_seat (
                id bigserial PRIMARY KEY,
                slot_id integer NOT NULL REFERENCES bench_scratch_slot (id)
            )
        """)
        connection.execute(
            "CREATE INDEX bench_scratch_seat_slot ON bench_scratch_seat (slot_id)"
        )
        connection.execute(
            "INSERT INTO bench_scratch_slot VALUES (%s, %s)", (SLOT_ID, SLOT_CAPACITY)
        )


def seat_taker(database_url: str) -> SeatTaker:
    """One load thread's own connection to the database."""
    if database_url.startswith("sqlite"):
        return SqliteSeatTaker(database_url)
    return PostgresSeatTaker(database_url)


def add_slots(database_url: str, capacities: Sequence[int]) -> list[int]:
    """New slots of the given capacities; their ids, in the same order."""
    top_query = "SELECT coalesce(max(id), 0) FROM bench_scratch_slot"
    if database_url.startswith("sqlite"):
        connection = _sqlite_connect(database_url)
        try:
            connection.execute("BEGIN IMMEDIATE")
            (top,) = connection.execute(top_query).fetchone()
            ids = [int(top) + 1 + number for number in range(len(capacities))]
            connection.executemany(
                "INSERT INTO bench_scratch_slot VALUES (?, ?)",
                list(zip(ids, capacities, strict=True)),
            )
            connection.execute("COMMIT")
        finally:
            connection.close()
        return ids
    with psycopg.connect(_postgres_conninfo(database_url)) as pg:
        row = pg.execute(top_query).fetchone()
        assert row is not None
        ids = [int(row[0]) + 1 + number for number in range(len(capacities))]
        pg.cursor().executemany(
            "INSERT INTO bench_scratch_slot VALUES (%s, %s)",
            list(zip(ids, capacities, strict=True)),
        )
    return ids


def seats_per_slot(database_url: str, slot_ids: Sequence[int]) -> list[int]:
    """How many seat rows each slot has, in the order of `slot_ids`."""
    query = "SELECT slot_id, count(*) FROM bench_scratch_seat GROUP BY slot_id"
    if database_url.startswith("sqlite"):
        connection = _sqlite_connect(database_url)
        try:
            rows = connection.execute(query).fetchall()
        finally:
            connection.close()
    else:
        with psycopg.connect(_postgres_conninfo(database_url)) as pg:
            rows = pg.execute(query).fetchall()
    counts = {int(slot): int(seats) for slot, seats in rows}
    return [counts.get(slot, 0) for slot in slot_ids]


class SqliteSeatTaker:
    def __init__(self, database_url: str) -> None:
        self.connection = _sqlite_connect(database_url)

    def run_once(self, slot_id: int) -> str | None:
        connection = self.connection
        try:
            connection.execute("BEGIN IMMEDIATE")
            (capacity,) = connection.execute(
                "SELECT capacity FROM bench_scratch_slot WHERE id = ?", (slot_id,)
            ).fetchone()
            (taken,) = connection.execute(
                "SELECT count(*) FROM bench_scratch_seat WHERE slot_id = ?", (slot_id,)
            ).fetchone()
            if taken >= capacity:
                connection.execute("ROLLBACK")
                return FULL
            connection.execute(
                "INSERT INTO bench_scratch_seat (slot_id) VALUES (?)", (slot_id,)
            )
            connection.execute("COMMIT")
        except sqlite3.Error as exc:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            return f"{type(exc).__name__}: {exc}"
        return None

    def close(self) -> None:
        self.connection.close()


class PostgresSeatTaker:
    def __init__(self, database_url: str) -> None:
        self.connection = psycopg.connect(_postgres_conninfo(database_url))

    def run_once(self, slot_id: int) -> str | None:
        connection = self.connection
        try:
            # psycopg opens the transaction (BEGIN) with the first statement.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT capacity FROM bench_scratch_slot WHERE id = %s FOR UPDATE",
                    (slot_id,),
                )
                (capacity,) = cursor.fetchone() or (0,)
                cursor.execute(
                    "SELECT count(*) FROM bench_scratch_seat WHERE slot_id = %s",
                    (slot_id,),
                )
                (taken,) = cursor.fetchone() or (0,)
                if taken >= capacity:
                    connection.rollback()
                    return FULL
                cursor.execute(
                    "INSERT INTO bench_scratch_seat (slot_id) VALUES (%s)", (slot_id,)
                )
            connection.commit()
        except psycopg.Error as exc:
            connection.rollback()
            return f"{type(exc).__name__}: {exc}"
        return None

    def close(self) -> None:
        self.connection.close()
