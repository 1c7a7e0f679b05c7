"""Token signing keys: private keys encrypted at rest, and how long each is published."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import LargeBinary, String, Text, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from store.base import Base, UtcDateTime


class SigningKey(Base):
    __tablename__ = "signing_keys"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    alg: Mapped[str] = mapped_column(String(16))
    # The private JWK, sealed by the master key (store.secretbox) with the kid as context.
    private_jwk: Mapped[bytes] = mapped_column(LargeBinary)
    public_jwk: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(200))
    # Set on rotation: the key stops signing then, and is published until `publish_until`.
    retired_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    publish_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)


async def list_keys(session: AsyncSession) -> list[SigningKey]:
    rows = await session.scalars(select(SigningKey).order_by(SigningKey.created_at))
    return list(rows)
