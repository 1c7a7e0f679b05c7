"""The async engine and session factory, built from a database URL (SQLite or PostgreSQL)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or opened; the message is safe to show to an operator."""


@dataclass(frozen=True)
class Database:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    async def ping(self, timeout: float = 2.0) -> None:
        """Raise `DatabaseUnavailable` unless a trivial query answers within `timeout`."""
        try:
            async with asyncio.timeout(timeout):
                async with self.engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))
        except (TimeoutError, OSError, SQLAlchemyError) as exc:
            raise DatabaseUnavailable(describe_error(exc)) from exc

    async def dispose(self) -> None:
        await self.engine.dispose()


def describe_error(exc: BaseException) -> str:
    """A one-line operator message for a connection failure, without credentials."""
    if isinstance(exc, TimeoutError):
        return "database did not answer in time"
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        return f"{type(exc.orig).__name__}: {str(exc.orig).splitlines()[0]}"
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    # WAL keeps readers off the writer's back; NORMAL sync survives a killed process.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def create_database(url: str, *, schema: str | None = None, pool_size: int = 10) -> Database:
    """Build the engine for `url`; `schema` pins PostgreSQL's search_path (tests, tenants)."""
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"pool_size": pool_size, "max_overflow": pool_size}
    if parsed.get_backend_name() == "sqlite":
        # A local file never goes stale: no pre-ping round trip on every checkout.
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
    else:
        connect_args: dict[str, Any] = {"timeout": 5}
        if schema:
            connect_args["server_settings"] = {"search_path": schema}
        kwargs.update(pool_pre_ping=True, connect_args=connect_args)
    engine = create_async_engine(parsed, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return Database(engine, async_sessionmaker(engine, expire_on_commit=False))
