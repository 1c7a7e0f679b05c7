"""OAuth clients: registered department systems, their credentials (hashed) and allowed scopes."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Boolean, String, Text, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from schemas.grants import ClientAuthMethod, ClientInfo, ClientSpec
from store.base import Base, UtcDateTime, utcnow
from store.instance import bump_policy_epoch


class OAuthClient(Base):
    __tablename__ = "oauth_clients"

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    auth_method: Mapped[str] = mapped_column(String(32))
    # Keyed hash of a high-entropy secret (client_secret_basic), else NULL.
    secret_hash: Mapped[str | None] = mapped_column(String(128), nullable=True)
    # Public JWK Set (private_key_jwt), else NULL.
    jwks: Mapped[str | None] = mapped_column(Text, nullable=True)
    scopes: Mapped[str] = mapped_column(Text)
    default_scopes: Mapped[str] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    disabled_by: Mapped[str | None] = mapped_column(String(200), nullable=True)

    def jwks_dict(self) -> dict[str, object] | None:
        return None if self.jwks is None else dict(json.loads(self.jwks))

    def info(self) -> ClientInfo:
        return ClientInfo(
            client_id=self.client_id,
            name=self.name,
            auth_method=ClientAuthMethod(self.auth_method),
            scopes=tuple(self.scopes.split()),
            default_scopes=tuple(self.default_scopes.split()),
            enabled=self.enabled,
            created_at=self.created_at,
            created_by=self.created_by,
            disabled_at=self.disabled_at,
        )


async def add_client(
    session: AsyncSession,
    spec: ClientSpec,
    *,
    client_id: str,
    secret_hash: str | None,
    by: str,
) -> OAuthClient:
    row = OAuthClient(
        client_id=client_id,
        name=spec.name,
        auth_method=spec.auth_method.value,
        secret_hash=secret_hash,
        jwks=None if spec.jwks is None else json.dumps(spec.jwks),
        scopes=" ".join(spec.scopes),
        default_scopes=" ".join(
            spec.scopes if spec.default_scopes is None else spec.default_scopes
        ),
        enabled=True,
        created_at=utcnow(),
        created_by=by,
    )
    session.add(row)
    await session.flush()
    await bump_policy_epoch(session)
    return row


async def get_client(session: AsyncSession, client_id: str) -> OAuthClient | None:
    return await session.get(OAuthClient, client_id)


async def list_clients(session: AsyncSession) -> list[OAuthClient]:
    rows = await session.scalars(select(OAuthClient).order_by(OAuthClient.created_at))
    return list(rows)


async def disable_client(session: AsyncSession, client_id: str, *, by: str) -> OAuthClient | None:
    """Disable a client (idempotent); None when there is no such client."""
    client = await session.get(OAuthClient, client_id)
    if client is None:
        return None
    if client.enabled:
        await session.execute(
            update(OAuthClient)
            .where(OAuthClient.client_id == client_id)
            .values(enabled=False, disabled_at=utcnow(), disabled_by=by)
        )
        await bump_policy_epoch(session)
        await session.refresh(client)
    return client


async def is_enabled(session: AsyncSession, client_id: str) -> bool:
    value = await session.scalar(
        select(OAuthClient.enabled).where(OAuthClient.client_id == client_id)
    )
    return bool(value)
