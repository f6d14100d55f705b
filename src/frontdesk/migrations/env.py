from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext

from frontdesk.db.engine import make_engine
from frontdesk.db.registry import metadata
from frontdesk.db.types import EnumText

config = context.config


def _render_item(kind: str, obj: Any, _context: AutogenContext) -> str | Literal[False]:
    # An enum column is a plain VARCHAR in the schema: render it as one.
    if kind == "type" and isinstance(obj, EnumText):
        return f"sa.String(length={obj.length})"
    return False


def run_migrations() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=url.startswith("sqlite"),
            render_item=_render_item,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
