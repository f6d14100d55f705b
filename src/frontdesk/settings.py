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


def _sqlite_default() -> str:
    return "sqlite:///" + os.path.join(os.getcwd(), "frontdesk.db")


def settings_from_environment() -> Settings:
    return Settings(
        database_url=os.environ.get("FRONTDESK_DATABASE_URL") or _sqlite_default(),
        log_level=os.environ.get("FRONTDESK_LOG_LEVEL", "INFO"),
        locale=os.environ.get("FRONTDESK_LOCALE", "en_US"),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return settings_from_environment()
