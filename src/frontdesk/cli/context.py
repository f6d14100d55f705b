"""What every command shares: settings read once, a migrated database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from frontdesk.db.engine import engine_for
from frontdesk.db.migrate import upgrade
from frontdesk.db.unit_of_work import session_factory
from frontdesk.log import configure_logging
from frontdesk.settings import Settings, get_settings


@dataclass(frozen=True)
class Context:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]


@contextmanager
def open_database(settings: Settings | None = None) -> Iterator[Context]:
    """A migrated database for one command; its connections close after it."""
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    upgrade(settings.database_url)
    engine = engine_for(settings)
    try:
        yield Context(
            settings=settings, engine=engine, sessions=session_factory(engine)
        )
    finally:
        engine.dispose()
