"""One suite, two databases: SQLite by default, PostgreSQL when
FRONTDESK_TEST_DATABASE_URL names one. The schema is built by the Alembic
migrations, never by create_all."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from frontdesk.db.engine import is_sqlite, make_engine
from frontdesk.db.migrate import upgrade
from frontdesk.db.registry import metadata
from tests.client import ApiClient

TEST_URL = os.environ.get("FRONTDESK_TEST_DATABASE_URL", "sqlite")


def on_postgres() -> bool:
    return not TEST_URL.startswith("sqlite")


def _postgres_database(worker: str) -> str:
    # One database per test process, so parallel runs never share one.
    url = make_url(TEST_URL)
    name = f"{url.database}_fd_{worker}_{os.getpid()}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_template(
    tmp_path_factory: pytest.TempPathFactory, worker_id: str
) -> Iterator[str]:
    """A migrated database: a template file on SQLite, a database on PostgreSQL."""
    if on_postgres():
        url = _postgres_database(worker_id)
        upgrade(url)
        yield url
        _drop_postgres_database(url)
        return
    url = "sqlite:///" + str(tmp_path_factory.mktemp("template") / "template.db")
    upgrade(url)
    yield url


def _drop_postgres_database(url: str) -> None:
    target = make_url(url)
    admin = create_engine(make_url(TEST_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(
            text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
        )
    admin.dispose()


@pytest.fixture
def database_url(database_template: str, tmp_path: Path) -> Iterator[str]:
    if is_sqlite(database_template):
        copy = tmp_path / "frontdesk.db"
        shutil.copyfile(database_template.removeprefix("sqlite:///"), copy)
        yield f"sqlite:///{copy}"
        return
    yield database_template
    _truncate(database_template)


def _truncate(url: str) -> None:
    engine = create_engine(url)
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def api(engine: Engine) -> Iterator[ApiClient]:
    client = ApiClient.for_engine(engine)
    yield client
    client.close()


@pytest.fixture(scope="session")
def worker_id() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session", autouse=True)
def _quiet_logs() -> None:
    from frontdesk.log import configure_logging

    configure_logging("WARNING")
