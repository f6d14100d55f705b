"""Engines for the two supported databases.

SQLite runs every writing transaction as BEGIN IMMEDIATE: the write lock is
taken at the start, so a capacity check and the insert it guards cannot
interleave with another writer. Reading transactions (an engine with the
execution option `frontdesk_read_only`) begin DEFERRED and run beside writers
under WAL. PostgreSQL uses row locks (SELECT ... FOR UPDATE) taken
by the services instead.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event

from frontdesk.settings import Settings

READ_ONLY = "frontdesk_read_only"
SKIP_ROW_LOCKS = "frontdesk_unsafe_skip_row_locks"
RACE_WINDOW = "frontdesk_test_race_window_seconds"


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def make_engine(
    url: str,
    *,
    skip_row_locks: bool = False,
    race_window_seconds: float = 0.0,
    **options: Any,
) -> Engine:
    if is_sqlite(url):
        engine = _sqlite_engine(url, immediate=not skip_row_locks, **options)
    else:
        # Few idle connections per process, more on demand: several worker
        # processes must fit within the server's max_connections together.
        options.setdefault("pool_size", 5)
        options.setdefault("max_overflow", 15)
        options.setdefault("pool_pre_ping", True)
        engine = create_engine(url, **options)
    if skip_row_locks or race_window_seconds:
        # The test-only switches travel with the engine, so every session
        # bound to it sees them (frontdesk.lookup, frontdesk.sessions.locking).
        return engine.execution_options(
            **{SKIP_ROW_LOCKS: skip_row_locks, RACE_WINDOW: race_window_seconds}
        )
    return engine


def engine_for(settings: Settings) -> Engine:
    return make_engine(
        settings.database_url,
        skip_row_locks=settings.unsafe_skip_row_locks,
        race_window_seconds=settings.race_window_seconds,
    )


def _sqlite_engine(url: str, *, immediate: bool, **options: Any) -> Engine:
    engine = create_engine(
        url,
        # Connections are kept in the pool: closing the last one makes SQLite
        # fold the WAL back into the file, a cost on every quiet request.
        connect_args={"timeout": 30, "check_same_thread": False},
        **options,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to the "begin" hook below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        reading = connection.get_execution_options().get(READ_ONLY, False)
        locking = immediate and not reading
        connection.exec_driver_sql("BEGIN IMMEDIATE" if locking else "BEGIN")

    return engine
