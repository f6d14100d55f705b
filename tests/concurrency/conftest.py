"""Fixtures of the concurrency tests: real server processes on the test database."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from frontdesk.db.engine import is_sqlite
from tests.concurrency.harness import RACE_WINDOW_SECONDS, Guard, ServerProcess

StartServer = Callable[..., ServerProcess]
_serial = itertools.count(1)


@pytest.fixture(params=[True, False], ids=["locked", "unlocked-control"])
def guard(request: pytest.FixtureRequest) -> Guard:
    return Guard(locks=request.param)


class ServerPool:
    """Servers kept running from test to test, one per setting.

    On PostgreSQL every test of a pytest process uses the same database, and
    a server holds nothing between requests, so one started for an earlier
    test serves the next: starting three workers costs seconds each time.
    """

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.servers: dict[tuple[str, int, Guard, float], ServerProcess] = {}

    def server(
        self, *, database_url: str, workers: int, guard: Guard, race_window: float
    ) -> ServerProcess:
        key = (database_url, workers, guard, race_window)
        if key not in self.servers or not self.servers[key].alive():
            self.servers[key] = start(
                database_url, workers, guard, race_window, self.logs
            )
        return self.servers[key]

    def close(self) -> None:
        for server in self.servers.values():
            server.kill()


def start(
    database_url: str, workers: int, guard: Guard, race_window: float, logs: Path
) -> ServerProcess:
    server = ServerProcess(
        database_url=database_url,
        workers=workers,
        guard=guard,
        race_window_seconds=race_window,
        log_path=logs / f"server-{next(_serial)}.log",
    )
    server.start()
    return server


@pytest.fixture(scope="session")
def server_pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerPool]:
    pool = ServerPool(tmp_path_factory.mktemp("servers"))
    yield pool
    pool.close()


@pytest.fixture
def start_server(
    database_url: str, tmp_path: Path, server_pool: ServerPool
) -> Iterator[StartServer]:
    """A real server on the test's database.

    A server of its own (`own=True`, and always on SQLite, whose database is
    a new file per test) is killed, as a process group, after the test; the
    others come from the pool, killed after the last test.
    """
    own_servers: list[ServerProcess] = []

    def start_on_database(
        *,
        workers: int = 1,
        guard: Guard = Guard(locks=True),
        race_window_seconds: float = RACE_WINDOW_SECONDS,
        own: bool = False,
    ) -> ServerProcess:
        if not own and not is_sqlite(database_url):
            return server_pool.server(
                database_url=database_url,
                workers=workers,
                guard=guard,
                race_window=race_window_seconds,
            )
        server = start(database_url, workers, guard, race_window_seconds, tmp_path)
        own_servers.append(server)
        return server

    yield start_on_database
    for server in own_servers:
        server.kill()
