"""The raw SQL baseline: the smallest transaction that books a seat safely,
on the bench's own scratch tables in the same database as the server's.

PostgreSQL: BEGIN; lock the slot row FOR UPDATE; count its seats; insert one;
COMMIT. SQLite: BEGIN IMMEDIATE (the write lock); the same count and insert;
COMMIT, on a connection set up as the application's are (WAL, busy timeout,
foreign keys). The seat count grows as the run goes on, as the bookings of
the HTTP side do.
"""

from __future__ import annotations

import sqlite3
from typing import Protocol

import psycopg
from sqlalchemy.engine import make_url

SLOT_ID = 1
SLOT_CAPACITY = 100_000
BUSY_TIMEOUT_MS = 30_000


class SeatTaker(Protocol):
    def run_once(self, job: object) -> str | None: ...

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


def count_seats(database_url: str) -> int:
    query = "SELECT count(*) FROM bench_scratch_seat"
    if database_url.startswith("sqlite"):
        connection = _sqlite_connect(database_url)
        try:
            return int(connection.execute(query).fetchone()[0])
        finally:
            connection.close()
    with psycopg.connect(_postgres_conninfo(database_url)) as connection:
        row = connection.execute(query).fetchone()
        assert row is not None
        return int(row[0])


class SqliteSeatTaker:
    def __init__(self, database_url: str) -> None:
        self.connection = _sqlite_connect(database_url)

    def run_once(self, job: object) -> str | None:
        connection = self.connection
        try:
            connection.execute("BEGIN IMMEDIATE")
            (capacity,) = connection.execute(
                "SELECT capacity FROM bench_scratch_slot WHERE id = ?", (SLOT_ID,)
            ).fetchone()
            (taken,) = connection.execute(
                "SELECT count(*) FROM bench_scratch_seat WHERE slot_id = ?", (SLOT_ID,)
            ).fetchone()
            if taken >= capacity:
                connection.execute("ROLLBACK")
                return f"slot full: {taken} of {capacity}"
            connection.execute(
                "INSERT INTO bench_scratch_seat (slot_id) VALUES (?)", (SLOT_ID,)
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

    def run_once(self, job: object) -> str | None:
        connection = self.connection
        try:
            # psycopg opens the transaction (BEGIN) with the first statement.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT capacity FROM bench_scratch_slot WHERE id = %s FOR UPDATE",
                    (SLOT_ID,),
                )
                (capacity,) = cursor.fetchone() or (0,)
                cursor.execute(
                    "SELECT count(*) FROM bench_scratch_seat WHERE slot_id = %s",
                    (SLOT_ID,),
                )
                (taken,) = cursor.fetchone() or (0,)
                if taken >= capacity:
                    connection.rollback()
                    return f"slot full: {taken} of {capacity}"
                cursor.execute(
                    "INSERT INTO bench_scratch_seat (slot_id) VALUES (%s)", (SLOT_ID,)
                )
            connection.commit()
        except psycopg.Error as exc:
            connection.rollback()
            return f"{type(exc).__name__}: {exc}"
        return None

    def close(self) -> None:
        self.connection.close()
