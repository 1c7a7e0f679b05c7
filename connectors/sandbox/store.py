"""The sandbox's own residents table (its own MetaData: a stand-in for an external system)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Column, MetaData, String, Table, Text, delete, func, select

from store.engine import Database, create_database

metadata = MetaData()

# The registry keys residents by personal ID; each resident is one JSON document.
residents = Table(
    "sandbox_residents",
    metadata,
    Column("personal_id", String(12), primary_key=True),
    Column("data", Text, nullable=False),
)


class ResidentStore:
    def __init__(self, database: Database) -> None:
        self.db = database

    @classmethod
    def open(cls, url: str, *, pool_size: int = 10) -> ResidentStore:
        return cls(create_database(url, pool_size=pool_size))

    async def create(self) -> None:
        async with self.db.engine.begin() as conn:
            await conn.run_sync(metadata.create_all)

    async def get(self, personal_id: str) -> dict[str, Any] | None:
        async with self.db.engine.connect() as conn:
            row = (
                await conn.execute(
                    select(residents.c.data).where(residents.c.personal_id == personal_id)
                )
            ).first()
        return None if row is None else json.loads(row[0])

    async def get_many(self, personal_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        wanted = sorted(set(personal_ids))
        found: dict[str, dict[str, Any]] = {}
        async with self.db.engine.connect() as conn:
            for start in range(0, len(wanted), 500):
                part = wanted[start : start + 500]
                rows = await conn.execute(
                    select(residents.c.personal_id, residents.c.data).where(
                        residents.c.personal_id.in_(part)
                    )
                )
                found.update((pid, json.loads(data)) for pid, data in rows)
        return found

    async def count(self) -> int:
        async with self.db.engine.connect() as conn:
            return int(
                (await conn.execute(select(func.count()).select_from(residents))).scalar_one()
            )

    async def sample_ids(self, limit: int) -> list[str]:
        async with self.db.engine.connect() as conn:
            rows = await conn.execute(select(residents.c.personal_id).limit(limit))
            return [r[0] for r in rows]

    async def clear(self) -> None:
        async with self.db.engine.begin() as conn:
            await conn.execute(delete(residents))

    async def insert(self, rows: list[dict[str, str]]) -> None:
        """Rows of `{"personal_id", "data"}` in one transaction (executemany)."""
        async with self.db.engine.begin() as conn:
            await conn.execute(residents.insert(), rows)

    async def close(self) -> None:
        await self.db.dispose()
