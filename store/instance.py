"""Instance state: small key/value facts about this installation (first start, versions)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import String, Text, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from store.base import Base, UtcDateTime, utcnow

# Changes in the same transaction as every grant or client change, so that a process may keep
# policy data cached for as long as the epoch it reads with each request stays the same.
POLICY_EPOCH = "policy.epoch"


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


async def bump_policy_epoch(session: AsyncSession) -> None:
    await session.execute(
        update(InstanceState)
        .where(InstanceState.key == POLICY_EPOCH)
        .values(value=uuid.uuid4().hex, updated_at=utcnow())
    )
