"""Per-client rate and per-grant daily quota: in memory, and shared across processes via Redis."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from gateway.audit.service import audit_ctx
from gateway.auditing import AUDIT
from gateway.keys import DATABASE, METRICS, READINESS, SETTINGS
from gateway.metrics import Metrics
from gateway.middleware import request_context
from gateway.ratelimit import (
    RATE_LIMITER,
    RateLimiter,
    RateLimitUnavailable,
    enforce,
    ratelimit_ctx,
)
from schemas.settings import Settings
from store import migrate
from store.audit import AuditEventRow
from store.engine import create_database

REDIS_URL = "redis://127.0.0.1:6379/0"


def _limiters(kind: str, rate: str, count: int = 2) -> list[RateLimiter]:
    """`count` limiters sharing counters: separate instances stand for separate processes."""
    if kind == "memory":
        return [RateLimiter(rate)]
    namespace = f"popgate-test-{uuid.uuid4().hex}"
    return [RateLimiter(rate, REDIS_URL, namespace=namespace) for _ in range(count)]


@pytest.fixture(params=["memory", "redis"])
async def limiters(request: pytest.FixtureRequest) -> AsyncIterator[list[RateLimiter]]:
    made = _limiters(request.param, "3/minute")
    yield made
    for limiter in made:
        await limiter.close()


async def test_the_request_rate_refuses_beyond_the_limit_with_a_retry_time(
    limiters: list[RateLimiter],
) -> None:
    decisions = [await limiters[i % len(limiters)].hit_rate("tax-office") for i in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert 0 < decisions[-1].retry_after <= 60
    assert (await limiters[0].hit_rate("health-dept")).allowed


async def test_processes_sharing_redis_share_one_budget() -> None:
    one, two = _limiters("redis", "2/minute")
    try:
        assert (await one.hit_rate("c")).allowed
        assert (await two.hit_rate("c")).allowed
        assert not (await one.hit_rate("c")).allowed
        assert not (await two.hit_rate("c")).allowed
    finally:
        await one.close()
        await two.close()


async def test_a_daily_quota_resets_at_midnight_in_vietnam(limiters: list[RateLimiter]) -> None:
    evening = dt.datetime(2026, 11, 26, 16, 0, tzinfo=dt.UTC)  # 23:00 in Hà Nội
    limiter = limiters[-1]
    assert (await limiter.hit_quota("grant-1", 2, now=evening)).allowed
    assert (await limiter.hit_quota("grant-1", 2, now=evening)).allowed
    refused = await limiter.hit_quota("grant-1", 2, now=evening)
    assert not refused.allowed and refused.retry_after == 3600
    assert (await limiter.hit_quota("grant-1", 2, now=evening + dt.timedelta(hours=1))).allowed


async def test_unreachable_redis_is_an_error_not_a_pass() -> None:
    limiter = RateLimiter("5/second", "redis://127.0.0.1:1/0")
    with pytest.raises(RateLimitUnavailable):
        await limiter.hit_rate("c")
    await limiter.close()


@pytest.fixture
async def client(aiohttp_client: Any, tmp_path: Path) -> TestClient:
    settings = Settings(data_dir=tmp_path, rate_limit="2/minute")
    db = create_database(settings.resolved_database_url())
    await migrate.upgrade(db)
    app = web.Application(middlewares=[request_context])
    app[SETTINGS] = settings
    app[METRICS] = Metrics()
    app[READINESS] = {}
    app[DATABASE] = db
    app.cleanup_ctx.append(audit_ctx)
    app.cleanup_ctx.append(ratelimit_ctx)

    async def data(request: web.Request) -> web.Response:
        await enforce(request.app[RATE_LIMITER], request.app[AUDIT], client_id="tax-office")
        return web.json_response({"ok": True})

    app.router.add_post("/data", data)

    async def close_db(app: web.Application) -> None:
        await db.dispose()

    app.on_cleanup.append(close_db)
    return await aiohttp_client(app)  # type: ignore[no-any-return]


async def test_a_refusal_is_a_429_problem_with_retry_after_and_is_audited(
    client: TestClient,
) -> None:
    statuses = [(await client.post("/data")).status for _ in range(2)]
    assert statuses == [200, 200]
    refused = await client.post("/data")
    assert refused.status == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    body = await refused.json()
    assert body["type"].endswith("/rate-limited") and body["retry_after"] >= 1
    db = client.app[DATABASE]
    async with db.engine.connect() as conn:
        rows = (
            await conn.execute(
                select(AuditEventRow.type, AuditEventRow.outcome, AuditEventRow.detail)
            )
        ).all()
    assert [tuple(r) for r in rows] == [("data.refused", "denied", "rate limited: 2 per 1 minute")]
