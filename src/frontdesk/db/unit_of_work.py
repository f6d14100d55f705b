"""One unit of work per request or command.

Services receive a `Session`, flush when they need ids, and never commit:
only `unit_of_work` commits, once, at the end, or rolls everything back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from frontdesk.db.engine import READ_ONLY


def session_factory(
    engine: Engine, *, read_only: bool = False
) -> sessionmaker[Session]:
    bind = engine.execution_options(**{READ_ONLY: True}) if read_only else engine
    return sessionmaker(bind=bind, expire_on_commit=False, autoflush=True)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    session = factory()
    try:
        with session.begin():
            yield session
    finally:
        session.close()
