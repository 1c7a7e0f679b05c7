"""Migrations and the engine, on SQLite and on the machine's PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import inspect

from store import migrate
from store.engine import Database, DatabaseUnavailable, create_database
from store.instance import get_state, set_state


async def test_upgrade_creates_tables_and_is_idempotent(database: Database) -> None:
    async with database.engine.connect() as conn:
        tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert {"instance_state", "alembic_version"} <= tables
    assert await migrate.is_current(database)
    await migrate.upgrade(database)
    assert await migrate.is_current(database)


async def test_instance_state_round_trip_keeps_utc(database: Database) -> None:
    async with database.sessions.begin() as session:
        await set_state(session, "bootstrapped", "yes")
    async with database.sessions() as session:
        assert await get_state(session, "bootstrapped") == "yes"
        assert await get_state(session, "missing") is None
    async with database.sessions.begin() as session:
        await set_state(session, "bootstrapped", "again")
    async with database.sessions() as session:
        from store.instance import InstanceState

        row = await session.get(InstanceState, "bootstrapped")
        assert row is not None and row.value == "again"
        assert row.updated_at.tzinfo is not None
        assert abs(row.updated_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)


async def test_unreachable_postgres_is_a_clear_error() -> None:
    db = create_database("postgresql+asyncpg://postgres@127.0.0.1:1/none")
    with pytest.raises(DatabaseUnavailable) as info:
        await db.ping(timeout=5)
    assert "Traceback" not in str(info.value)
    await db.dispose()


async def test_corrupt_sqlite_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "popgate.db"
    garbage = b"this is not a database" * 100
    path.write_bytes(garbage)
    db = create_database(f"sqlite+aiosqlite:///{path}")
    with pytest.raises(DatabaseUnavailable, match="not a database"):
        await db.ping()
    await db.dispose()
    assert path.read_bytes() == garbage
