"""Rate limits and quotas: a per-client request rate and each grant's daily quota, across processes.

Counters live in Redis when POPGATE_REDIS_URL is set (every gateway process shares them) and in
memory otherwise, through the `limits` library. `limits` has no token bucket; its moving window
gives the same promise a bucket of N tokens refilled over the period does (never more than N
requests in any window, bursts up to N) and tells exactly when the next request will pass, which
becomes `Retry-After`. Daily quotas count per calendar day in Vietnam (UTC+7, no daylight saving),
resetting at local midnight. When the counters cannot be reached the limiter refuses (503): a
grant's quota is part of what was granted, so it is not skipped.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from limits import RateLimitItem, RateLimitItemPerDay, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter
from redis.asyncio import ConnectionPool

from gateway.auditing import AuditSink, AuditUnavailable, audit_unavailable
from gateway.keys import SETTINGS
from gateway.problems import Problem
from schemas.audit import AuditEvent, EventType, Outcome
from schemas.personal_id import PersonalId

VIETNAM = dt.timezone(dt.timedelta(hours=7), "ICT")


class RateLimitUnavailable(RuntimeError):
    """The shared counters cannot be reached."""


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: float = 0.0  # seconds until a request would pass; 0 when allowed
    limit: str = ""


class RateLimiter:
    def __init__(
        self, rate: str, redis_url: str | None = None, *, namespace: str = "popgate"
    ) -> None:
        self._pool: ConnectionPool | None = None
        storage: Storage
        if redis_url:
            self._pool = ConnectionPool.from_url(
                redis_url, socket_timeout=1.0, socket_connect_timeout=1.0
            )
            # Our own pool, so that timeouts are short and `close` can release it.
            options: dict[str, Any] = {"connection_pool": self._pool}
            storage = RedisStorage(
                "async+" + redis_url, implementation="redispy", key_prefix=namespace, **options
            )
        else:
            storage = MemoryStorage()
        self._rate = parse(rate)
        self._moving = MovingWindowRateLimiter(storage)
        self._fixed = FixedWindowRateLimiter(storage)

    @property
    def rate(self) -> str:
        return str(self._rate)

    async def hit_rate(self, client_id: str) -> Decision:
        """Count one request of `client_id` against the request rate."""
        return await self._hit(self._moving, self._rate, "rate", client_id)

    async def hit_quota(
        self, grant_id: str, per_day: int, *, cost: int = 1, now: dt.datetime | None = None
    ) -> Decision:
        """Count `cost` residents against the grant's quota for today (Vietnam time)."""
        local = (now or dt.datetime.now(dt.UTC)).astimezone(VIETNAM)
        decision = await self._hit(
            self._fixed,
            RateLimitItemPerDay(per_day),
            "quota",
            grant_id,
            local.date().isoformat(),
            cost=cost,
        )
        if decision.allowed:
            return decision
        midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), VIETNAM)
        return Decision(False, (midnight - local).total_seconds(), f"{per_day} per day")

    async def _hit(
        self,
        strategy: MovingWindowRateLimiter | FixedWindowRateLimiter,
        item: RateLimitItem,
        *identifiers: str,
        cost: int = 1,
    ) -> Decision:
        try:
            if await strategy.hit(item, *identifiers, cost=cost):
                return Decision(True, 0.0, str(item))
            stats = await strategy.get_window_stats(item, *identifiers)
        except Exception as exc:
            raise RateLimitUnavailable(
                f"rate-limit counters unreachable: {type(exc).__name__}"
            ) from exc
        return Decision(False, max(stats.reset_time - time.time(), 0.0), str(item))

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.disconnect()


RATE_LIMITER = web.AppKey("rate_limiter", RateLimiter)


async def ratelimit_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    limiter = RateLimiter(settings.rate_limit, settings.redis_url)
    app[RATE_LIMITER] = limiter
    try:
        yield
    finally:
        await limiter.close()


def too_many_requests(decision: Decision) -> Problem:
    """429 with `Retry-After` in whole seconds (RFC 9110 §10.2.3), never 0."""
    seconds = max(1, math.ceil(decision.retry_after))
    return Problem(
        429,
        "rate-limited",
        "Too many requests",
        f"The limit of {decision.limit} is reached; retry in {seconds} s.",
        headers={"Retry-After": str(seconds)},
        extra={"retry_after": seconds},
    )


def limiter_unavailable() -> Problem:
    return Problem(
        503,
        "rate-limit-unavailable",
        "Service unavailable",
        "Request counters cannot be reached; try again shortly.",
        headers={"Retry-After": "5"},
    )


async def enforce(
    limiter: RateLimiter,
    sink: AuditSink,
    *,
    client_id: str,
    grant_id: str | None = None,
    daily_quota: int | None = None,
    purpose: str | None = None,
    resident: PersonalId | None = None,
    correlation_id: str | None = None,
    cost: int = 1,
) -> None:
    """Pass, or raise a problem: 429 (the refusal audited first), or 503 when it cannot tell.
    `cost` is how many residents the request concerns (a batch counts each item)."""
    try:
        decision = await limiter.hit_rate(client_id)
        if decision.allowed and grant_id is not None and daily_quota is not None:
            decision = await limiter.hit_quota(grant_id, daily_quota, cost=cost)
    except RateLimitUnavailable:
        raise limiter_unavailable() from None
    if decision.allowed:
        return
    try:
        await sink.record(
            AuditEvent(
                type=EventType.DATA_REFUSED,
                outcome=Outcome.DENIED,
                client_id=client_id,
                grant_id=grant_id,
                purpose=purpose,
                resident=resident,
                detail=f"rate limited: {decision.limit}",
                correlation_id=correlation_id,
            )
        )
    except AuditUnavailable:
        raise audit_unavailable() from None
    raise too_many_requests(decision)
