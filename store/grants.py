"""Access grants: which client may read which resident fields, for which purposes, on what basis.

Rows are never updated except to record their revocation (grants are immutable once issued).
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, Integer, String, Text, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from schemas.grants import Grant, GrantSpec
from store.base import Base, UtcDateTime, utcnow
from store.clients import OAuthClient
from store.instance import bump_policy_epoch


class AccessGrant(Base):
    __tablename__ = "access_grants"

    grant_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    client_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("oauth_clients.client_id"), index=True
    )
    fields: Mapped[str] = mapped_column(Text)  # space-separated catalogue names
    purposes: Mapped[str] = mapped_column(Text)  # space-separated purpose codes
    legal_basis: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    valid_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    daily_quota: Mapped[int | None] = mapped_column(Integer, nullable=True)
    disclosure_delay_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(200))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    revoke_reason: Mapped[str | None] = mapped_column(Text, nullable=True)

    def model(self) -> Grant:
        delay = self.disclosure_delay_s
        return Grant(
            grant_id=self.grant_id,
            client_id=self.client_id,
            fields=tuple(self.fields.split()),
            purposes=tuple(self.purposes.split()),
            legal_basis=self.legal_basis,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
            daily_quota=self.daily_quota,
            disclosure_delay=dt.timedelta(seconds=delay) if delay else None,
            created_at=self.created_at,
            created_by=self.created_by,
            revoked_at=self.revoked_at,
            revoked_by=self.revoked_by,
            revoke_reason=self.revoke_reason,
        )


async def create_grant(
    session: AsyncSession, spec: GrantSpec, *, by: str, grant_id: str | None = None
) -> Grant:
    now = utcnow()
    delay = spec.disclosure_delay
    row = AccessGrant(
        grant_id=grant_id or str(uuid.uuid4()),
        client_id=spec.client_id,
        fields=" ".join(spec.fields),
        purposes=" ".join(spec.purposes),
        legal_basis=spec.legal_basis,
        valid_from=(spec.valid_from or now).astimezone(dt.UTC),
        valid_until=spec.valid_until.astimezone(dt.UTC) if spec.valid_until else None,
        daily_quota=spec.daily_quota,
        disclosure_delay_s=int(delay.total_seconds()) if delay else None,
        created_at=now,
        created_by=by,
    )
    session.add(row)
    await session.flush()
    await bump_policy_epoch(session)
    return row.model()


async def get_grant(session: AsyncSession, grant_id: str) -> Grant | None:
    row = await session.get(AccessGrant, grant_id)
    return None if row is None else row.model()


async def list_grants(
    session: AsyncSession,
    *,
    client_id: str | None = None,
    purpose: str | None = None,
    live_at: dt.datetime | None = None,
) -> list[Grant]:
    """Grants, oldest first; `live_at` keeps those usable at that instant."""
    query = select(AccessGrant).order_by(AccessGrant.created_at, AccessGrant.grant_id)
    if client_id is not None:
        query = query.where(AccessGrant.client_id == client_id)
    grants = [row.model() for row in await session.scalars(query)]
    if purpose is not None:
        grants = [g for g in grants if purpose in g.purposes]
    if live_at is not None:
        grants = [g for g in grants if g.is_live(live_at)]
    return grants


async def client_and_grants(
    session: AsyncSession, client_id: str
) -> tuple[bool | None, list[Grant]]:
    """In one statement (the hot path of every data request): whether the client is enabled
    (None: no such client) and its grants, oldest first."""
    columns = AccessGrant.__table__.c
    query = (
        select(OAuthClient.enabled, *columns)
        .select_from(OAuthClient.__table__.outerjoin(AccessGrant.__table__))
        .where(OAuthClient.client_id == client_id)
        .order_by(columns.created_at, columns.grant_id)
    )
    rows = (await session.execute(query)).all()
    if not rows:
        return None, []
    grants = [
        AccessGrant(**{c.name: row[i + 1] for i, c in enumerate(columns)}).model()
        for row in rows
        if row[1] is not None
    ]
    return bool(rows[0][0]), grants


async def revoke_grant(
    session: AsyncSession, grant_id: str, *, by: str, reason: str | None = None
) -> Grant | None:
    """Revoke a grant (the first revocation stands); None when there is no such grant."""
    await session.execute(
        update(AccessGrant)
        .where(AccessGrant.grant_id == grant_id, AccessGrant.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_by=by, revoke_reason=reason)
    )
    await bump_policy_epoch(session)
    return await get_grant(session, grant_id)
