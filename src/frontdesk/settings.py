"""The one typed settings object, read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Settings:
    database_url: str
    log_level: str = "INFO"
    locale: str = "en_US"
    # Test-only switches for the concurrency controls: with the row locks
    # skipped (SQLite: writes begin DEFERRED) and a pause between the check
    # and the write, the concurrency tests must see the race they guard.
    unsafe_skip_row_locks: bool = False
    race_window_seconds: float = 0.0


def _sqlite_default() -> str:
    return "sqlite:///" + os.path.join(os.getcwd(), "frontdesk.db")


def settings_from_environment() -> Settings:
    return Settings(
        database_url=os.environ.get("FRONTDESK_DATABASE_URL") or _sqlite_default(),
        log_level=os.environ.get("FRONTDESK_LOG_LEVEL", "INFO"),
        locale=os.environ.get("FRONTDESK_LOCALE", "en_US"),
        unsafe_skip_row_locks=os.environ.get(
            "FRONTDESK_UNSAFE_SKIP_ROW_LOCKS", ""
        ).lower()
        in ("1", "true", "yes"),
        race_window_seconds=float(
            os.environ.get("FRONTDESK_TEST_RACE_WINDOW_SECONDS", "0") or 0
        ),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return settings_from_environment()
