"""Several gateway processes on one database (and Redis when configured): a revocation, a disabled
client and a key rotation made through one are honoured by the others on their next request."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from gateway.admin import registry
from gateway.oauth.keys import KeyRing
from schemas.settings import Settings
from store.revocations import revoke_token
from tests.support.gateway import Gateway, basic, migrated, start_gateway
from tests.support.server import free_port

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(params=["database", "redis"])
async def pair(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[Gateway, Gateway]]:
    """Two gateways sharing one issuer, database and master key (like pods behind a balancer)."""
    common = {
        "data_dir": tmp_path,
        "public_url": "https://popgate.example.gov.vn",
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}",
    }
    if request.param == "redis":
        common["redis_url"] = REDIS_URL
    first = Settings(port=free_port(), **common)
    second = Settings(port=free_port(), **common)
    await migrated(first)
    async with start_gateway(first) as a, start_gateway(second) as b:
        yield a, b


async def _whoami(gw: Gateway, token: str) -> int:
    async with gw.http.get(
        gw.url + "/test/whoami", headers={"Authorization": f"Bearer {token}"}
    ) as resp:
        return resp.status


async def test_a_token_revoked_on_one_process_is_refused_by_another(
    pair: tuple[Gateway, Gateway],
) -> None:
    a, b = pair
    who = await a.client()
    token = await a.token(who)
    assert await _whoami(b, token) == 200
    async with a.http.post(
        a.url + "/oauth/revoke",
        data={"token": token},
        headers=basic(who.client_id, who.secret or ""),
    ) as resp:
        assert resp.status == 200
    assert await _whoami(b, token) == 401


async def test_a_client_disabled_through_one_process_is_cut_off_by_another(
    pair: tuple[Gateway, Gateway],
) -> None:
    a, b = pair
    who = await a.client()
    token = await a.token(who)
    assert await _whoami(b, token) == 200
    await registry.disable(a.oauth.db, who.client_id, by="test")
    await a.oauth.liveness.client_disabled(who.client_id)
    assert await _whoami(b, token) == 401


async def test_a_key_rotated_elsewhere_is_picked_up_on_first_sight(
    pair: tuple[Gateway, Gateway], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = pair
    monkeypatch.setattr(KeyRing, "RELOAD_AFTER_UNKNOWN_KID", 0.0)
    who = await a.client()
    old = await a.token(who)
    await a.oauth.keys.rotate(by="test")
    new = await a.token(who)
    assert await _whoami(b, new) == 200
    assert await _whoami(b, old) == 200  # the retired key still verifies its tokens
    async with b.http.get(b.url + "/oauth/jwks") as resp:
        assert len((await resp.json())["keys"]) == 2


async def test_redis_holds_the_revocation_until_the_token_expires(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, port=free_port(), redis_url=REDIS_URL, public_url="https://x.example"
    )
    await migrated(settings)
    async with start_gateway(settings) as gw:
        who = await gw.client()
        token = await gw.token(who)
        async with gw.http.post(
            gw.url + "/oauth/revoke",
            data={"token": token},
            headers=basic(who.client_id, who.secret or ""),
        ) as resp:
            assert resp.status == 200
    jti = gw.audit.events[-1].detail.removeprefix("jti=")  # type: ignore[union-attr]
    redis = Redis.from_url(REDIS_URL)
    try:
        ttl = await redis.pttl(f"popgate:revoked:{jti}")
    finally:
        await redis.aclose()
    assert 0 < ttl <= 302_000


async def test_an_unreachable_redis_falls_back_to_the_database(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, port=free_port(), redis_url="redis://127.0.0.1:1/0")
    await migrated(settings)
    async with start_gateway(settings) as gw:
        who = await gw.client()
        token = await gw.token(who)
        assert await _whoami(gw, token) == 200
        async with gw.http.post(
            gw.url + "/oauth/revoke",
            data={"token": token},
            headers=basic(who.client_id, who.secret or ""),
        ) as resp:
            assert resp.status == 200
        assert await _whoami(gw, token) == 401


async def test_a_revocation_redis_missed_is_repaired_by_the_next_seed(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, port=free_port(), redis_url=REDIS_URL)
    await migrated(settings)
    async with start_gateway(settings) as gw:
        who = await gw.client()
        token = await gw.token(who)
        claims = gw.oauth.keys.verify(token).claims
        async with gw.oauth.db.sessions.begin() as session:  # as if the Redis write was lost
            await revoke_token(
                session,
                claims["jti"],
                client_id=who.client_id,
                expires_at=dt.datetime.fromtimestamp(claims["exp"], dt.UTC),
            )
        assert await _whoami(gw, token) == 200
        await gw.oauth.liveness.seed()  # what every maintenance round does
        assert await _whoami(gw, token) == 401
