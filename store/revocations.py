"""Revoked access tokens and used client assertions, each kept only until its expiry."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from store.base import Base, UtcDateTime, utcnow


class RevokedToken(Base):
    __tablename__ = "revoked_tokens"

    jti: Mapped[str] = mapped_column(String(128), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    revoked_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class UsedAssertion(Base):
    """RFC 7523 section 3 item 7: a `jti` seen once is refused until the assertion expires."""

    __tablename__ = "used_assertions"

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    jti: Mapped[str] = mapped_column(String(256), primary_key=True)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)


async def revoke_token(
    session: AsyncSession, jti: str, *, client_id: str, expires_at: dt.datetime
) -> None:
    if await session.get(RevokedToken, jti) is None:
        session.add(
            RevokedToken(jti=jti, client_id=client_id, expires_at=expires_at, revoked_at=utcnow())
        )
        await session.flush()


async def is_revoked(session: AsyncSession, jti: str) -> bool:
    return (
        await session.scalar(select(RevokedToken.jti).where(RevokedToken.jti == jti))
    ) is not None


async def remember_assertion(
    session: AsyncSession, client_id: str, jti: str, expires_at: dt.datetime
) -> bool:
    """Record a used assertion; False when it was already used (a replay)."""
    try:
        async with session.begin_nested():
            session.add(UsedAssertion(client_id=client_id, jti=jti, expires_at=expires_at))
    except IntegrityError:
        return False
    return True


async def purge_expired(session: AsyncSession, now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    await session.execute(delete(RevokedToken).where(RevokedToken.expires_at < now))
    await session.execute(delete(UsedAssertion).where(UsedAssertion.expires_at < now))
