"""Apply Alembic migrations (every branch head) to a database, from code or the CLI."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from store.engine import Database

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def _upgrade(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "heads")


def _current_heads(connection: Connection) -> tuple[set[str], set[str]]:
    applied = set(MigrationContext.configure(connection).get_current_heads())
    expected = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    return applied, expected


async def upgrade(db: Database) -> None:
    """Bring the schema to every head; a no-op when already there."""
    async with db.engine.begin() as conn:
        await conn.run_sync(_upgrade)


async def is_current(db: Database) -> bool:
    async with db.engine.connect() as conn:
        applied, expected = await conn.run_sync(_current_heads)
    return applied == expected
