"""Instance state: small key/value facts about this installation (first start, versions)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, Text, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from store.base import Base, UtcDateTime, utcnow


class InstanceState(Base):
    __tablename__ = "instance_state"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


async def get_state(session: AsyncSession, key: str) -> str | None:
    return await session.scalar(select(InstanceState.value).where(InstanceState.key == key))


async def set_state(session: AsyncSession, key: str, value: str) -> None:
    row = await session.get(InstanceState, key)
    if row is None:
        session.add(InstanceState(key=key, value=value, updated_at=utcnow()))
    else:
        row.value = value
        row.updated_at = utcnow()
