"""Fixtures shared by every suite: databases (SQLite and the machine's PostgreSQL) and settings."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from store import migrate
from store.engine import Database, create_database

POSTGRES_URL = os.environ.get(
    "POPGATE_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


async def _postgres_schema(schema: str, *, drop: bool) -> None:
    engine = create_async_engine(POSTGRES_URL)
    try:
        async with engine.begin() as conn:
            if drop:
                await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            else:
                await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    finally:
        await engine.dispose()


@pytest.fixture
async def postgres_schema() -> AsyncIterator[str]:
    """A fresh PostgreSQL schema of its own, dropped afterwards, so runs never collide."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    await _postgres_schema(schema, drop=False)
    try:
        yield schema
    finally:
        await _postgres_schema(schema, drop=True)


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated, empty database: once on SQLite, once on the machine's PostgreSQL."""
    if request.param == "sqlite":
        db = create_database(f"sqlite+aiosqlite:///{tmp_path / 'popgate.db'}")
        schema = None
    else:
        schema = f"t_{uuid.uuid4().hex[:16]}"
        await _postgres_schema(schema, drop=False)
        db = create_database(POSTGRES_URL, schema=schema, pool_size=2)
    try:
        await migrate.upgrade(db)
        yield db
    finally:
        await db.dispose()
        if schema:
            await _postgres_schema(schema, drop=True)
