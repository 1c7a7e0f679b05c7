"""Is a token still honoured: its `jti` not revoked and its client not disabled, on every request.

The database is the record. With `POPGATE_REDIS_URL` set, every process reads Redis instead (one
round trip: revoked `jti` kept until the token's expiry, disabled clients kept for good). Redis is
re-seeded from the database on start and on every maintenance round, so a write Redis missed is
repaired within one round; while Redis cannot be reached, reads fall back to the database.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import Select, exists, select

from store.base import utcnow
from store.clients import OAuthClient
from store.engine import Database
from store.instance import POLICY_EPOCH, InstanceState
from store.revocations import RevokedToken, revoke_token

log = logging.getLogger("popgate.oauth")

_REVOKED = "popgate:revoked:"
_DISABLED = "popgate:client-disabled:"


# Constant text: the client id and jti go to the driver as parameters, never into the string.
_LIVENESS_SQL = (
    "SELECT (SELECT enabled FROM oauth_clients WHERE client_id = {0}), "
    "EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = {1}), "
    "(SELECT value FROM instance_state WHERE key = 'policy.epoch')"
)
_PLACEHOLDERS = {"qmark": ("?", "?"), "numeric_dollar": ("$1", "$2"), "format": ("%s", "%s")}


def _liveness_query(client_id: str, jti: str) -> Select[tuple[bool | None, bool, str | None]]:
    return select(
        select(OAuthClient.enabled).where(OAuthClient.client_id == client_id).scalar_subquery(),
        exists().where(RevokedToken.jti == jti),
        select(InstanceState.value).where(InstanceState.key == POLICY_EPOCH).scalar_subquery(),
    )


class Liveness:
    def __init__(self, db: Database, redis: Redis | None) -> None:
        self._db = db
        self._redis = redis
        self._dialect = db.engine.dialect.name
        marks = _PLACEHOLDERS.get(db.engine.dialect.paramstyle)
        self._sql = _LIVENESS_SQL.format(*marks) if marks else None

    async def ping(self) -> None:
        if self._redis is not None:
            await self._redis.ping()

    async def seed(self) -> None:
        """Copy the database's live revocations and disabled clients into Redis."""
        if self._redis is None:
            return
        now = utcnow()
        async with self._db.sessions() as session:
            revoked = (
                await session.execute(
                    select(RevokedToken.jti, RevokedToken.expires_at).where(
                        RevokedToken.expires_at > now
                    )
                )
            ).all()
            disabled = list(
                await session.scalars(
                    select(OAuthClient.client_id).where(OAuthClient.enabled.is_(False))
                )
            )
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for jti, expires_at in revoked:
                    pipe.set(_REVOKED + jti, 1, px=_ttl_ms(expires_at, now))
                for client_id in disabled:
                    pipe.set(_DISABLED + client_id, 1)
                await pipe.execute()
        except RedisError as exc:
            log.warning("cannot seed Redis", extra={"error": type(exc).__name__})

    async def refusal(self, jti: str, client_id: str) -> str | None:
        """Why the token is no longer honoured ("revoked", "client_disabled"), or None."""
        return (await self.check(jti, client_id))[0]

    async def check(self, jti: str, client_id: str) -> tuple[str | None, str | None]:
        """`refusal`, and the policy epoch when it comes for free (the database path reads it
        in the same statement; None otherwise), so that policy data may be served from cache."""
        if self._redis is not None:
            try:
                revoked, disabled = await self._redis.mget(_REVOKED + jti, _DISABLED + client_id)
            except RedisError as exc:
                log.warning("Redis unreachable: using the database", extra={"error": str(exc)})
            else:
                if revoked is not None:
                    return "revoked", None
                return ("client_disabled" if disabled is not None else None), None
        # One round trip: the client's state, the revocation and the policy epoch. This runs on
        # every protected request, so it goes straight to the driver as plain SQL, in a single
        # call (through SQLAlchemy's aiosqlite adapter a query takes four thread hand-offs).
        row: Any
        async with self._db.engine.connect() as conn:
            if self._sql is None:
                row = (await conn.execute(_liveness_query(client_id, jti))).one()
            else:
                driver: Any = (await conn.get_raw_connection()).driver_connection
                if self._dialect == "sqlite":
                    row = (await driver.execute_fetchall(self._sql, (client_id, jti)))[0]
                elif self._dialect == "postgresql":
                    row = await driver.fetchrow(self._sql, client_id, jti)
                else:
                    row = (await conn.exec_driver_sql(self._sql, (client_id, jti))).one()
        enabled, revoked_row, epoch = row
        if revoked_row:
            return "revoked", epoch
        return (None if enabled else "client_disabled"), epoch

    async def revoke(self, jti: str, client_id: str, expires_at: dt.datetime) -> None:
        async with self._db.sessions.begin() as session:
            await revoke_token(session, jti, client_id=client_id, expires_at=expires_at)
        await self._mirror(_REVOKED + jti, px=_ttl_ms(expires_at, utcnow()))

    async def client_disabled(self, client_id: str) -> None:
        """Tell every process at once (the database row is already written by the caller)."""
        await self._mirror(_DISABLED + client_id, px=None)

    async def _mirror(self, key: str, *, px: int | None) -> None:
        if self._redis is None:
            return
        try:
            await self._redis.set(key, 1, px=px)
        except RedisError as exc:
            # The database has it; the next maintenance round's seed repairs Redis.
            log.warning("cannot write to Redis", extra={"error": type(exc).__name__})


def _ttl_ms(expires_at: dt.datetime, now: dt.datetime) -> int:
    return max(1000, int((expires_at - now).total_seconds() * 1000) + 1000)
