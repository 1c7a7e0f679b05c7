"""Token endpoint throughput per client-auth method, and the cost of resource protection.

Run: `.venv/bin/python bench/tokens.py [--requests N] [--concurrency C] [--rounds R]
[--redis redis://127.0.0.1:6379/0]`

One process, one event loop, SQLite in a temporary folder: the gateway app on a loopback port and an
aiohttp client driving it. Printed figures are medians over the rounds:
- tokens/s with `client_secret_basic` and with `private_key_jwt` (assertions signed beforehand, so
  the client's own signing is not counted; each one still costs the server a verification and a
  replay-cache insert);
- requests/s of an unprotected endpoint (the baseline) beside the same endpoint protected by
  `requires_scope`, with the verified-claims cache (the default) and without it.
The audit sink is an in-memory no-op here: audit writing is measured by its own benchmark.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from joserfc import jwt
from joserfc.jwk import ECKey

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gateway.admin import registry
from gateway.app import create_app
from gateway.auditing import AUDIT
from gateway.oauth.context import OAUTH
from gateway.oauth.protect import CLAIMS_CACHE, ClaimsCache, requires_scope
from schemas.audit import AuditEvent
from schemas.grants import ClientAuthMethod, ClientSpec
from schemas.settings import Settings
from store import migrate
from store.engine import create_database

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class NullAudit:
    async def record(self, event: AuditEvent) -> None:
        return None


class NoCache(ClaimsCache):
    def get(self, token: str) -> dict[str, Any] | None:
        return None


async def _ok(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


def build(settings: Settings, *, cache: bool) -> web.Application:
    app = create_app(settings)
    app[AUDIT] = NullAudit()
    if not cache:
        app[CLAIMS_CACHE] = NoCache()
    app.router.add_get("/bench/open", _ok)
    app.router.add_get("/bench/protected", requires_scope("residents.lookup")(_ok))
    return app


async def drive(n: int, concurrency: int, one: Callable[[int], Awaitable[int]]) -> float:
    """Requests per second for `n` calls of `one(i)`, `concurrency` at a time; all must be 200."""
    queue = iter(range(n))
    failures = 0

    async def worker() -> None:
        nonlocal failures
        for i in queue:
            if await one(i) != 200:
                failures += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{failures} of {n} requests failed")
    return n / elapsed


async def main(n: int, concurrency: int, rounds: int, redis_url: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        settings = Settings(data_dir=Path(tmp), port=port, log_level="WARNING", redis_url=redis_url)
        db = create_database(settings.resolved_database_url())
        await migrate.upgrade(db)
        await db.dispose()
        results: dict[str, list[float]] = {}
        for cache in (True, False):
            app = build(settings, cache=cache)
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", port).start()
            try:
                await _measure(
                    app, f"http://127.0.0.1:{port}", n, concurrency, rounds, cache, results
                )
            finally:
                await runner.cleanup()
    print(f"revocation and client state read from {'Redis' if redis_url else 'SQLite'}")
    _report(results, n, concurrency, rounds)


async def _measure(
    app: web.Application,
    base: str,
    n: int,
    concurrency: int,
    rounds: int,
    cache: bool,
    results: dict[str, list[float]],
) -> None:
    oauth = app[OAUTH]
    basic_info, secret = await registry.register_client(
        oauth.db, oauth.box, ClientSpec(name="bench basic"), by="bench"
    )
    key = ECKey.generate_key("P-256", parameters={"kid": "bench"})
    jwt_info, _ = await registry.register_client(
        oauth.db,
        oauth.box,
        ClientSpec(
            name="bench jwt",
            auth_method=ClientAuthMethod.PRIVATE_KEY_JWT,
            jwks={"keys": [key.as_dict(private=False)]},
        ),
        by="bench",
    )
    auth = "Basic " + base64.b64encode(f"{basic_info.client_id}:{secret}".encode()).decode()
    form = {"grant_type": "client_credentials"}
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(base, connector=connector) as http:

        async def basic_token(_: int) -> int:
            async with http.post("/oauth/token", data=form, headers={"Authorization": auth}) as r:
                await r.read()
                return r.status

        async with http.post("/oauth/token", data=form, headers={"Authorization": auth}) as r:
            token = (await r.json())["access_token"]
        bearer = {"Authorization": f"Bearer {token}"}

        async def get(path: str, headers: dict[str, str]) -> int:
            async with http.get(path, headers=headers) as r:
                await r.read()
                return r.status

        for _ in range(rounds):
            if cache:
                results.setdefault("token client_secret_basic", []).append(
                    await drive(n, concurrency, basic_token)
                )
                assertions = [_assertion(jwt_info.client_id, key, base) for _ in range(n)]

                async def jwt_token(i: int, signed: list[str] = assertions) -> int:
                    data = form | {
                        "client_assertion_type": ASSERTION_TYPE,
                        "client_assertion": signed[i],
                    }
                    async with http.post("/oauth/token", data=data) as r:
                        await r.read()
                        return r.status

                results.setdefault("token private_key_jwt", []).append(
                    await drive(n, concurrency, jwt_token)
                )
                results.setdefault("GET unprotected (baseline)", []).append(
                    await drive(n, concurrency, lambda _: get("/bench/open", {}))
                )
            label = "GET protected, claims cached" if cache else "GET protected, verify every time"
            results.setdefault(label, []).append(
                await drive(n, concurrency, lambda _: get("/bench/protected", bearer))
            )


def _assertion(client_id: str, key: ECKey, base: str) -> str:
    now = int(time.time())
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": base + "/oauth/token",
        "jti": secrets.token_urlsafe(16),
        "iat": now,
        "exp": now + 240,
    }
    return jwt.encode({"alg": "ES256", "kid": key.kid}, claims, key)


def _report(results: dict[str, list[float]], n: int, concurrency: int, rounds: int) -> None:
    print(f"{n} requests x {rounds} rounds, concurrency {concurrency}; medians")
    baseline = statistics.median(results["GET unprotected (baseline)"])
    for label, values in results.items():
        median = statistics.median(values)
        extra = ""
        if label.startswith("GET"):
            cost = 1e6 / median - 1e6 / baseline
            extra = f"  ({median / baseline:.2f} x baseline, {cost:+.0f} µs/request)"
        print(f"  {label:34s} {median:8.0f} /s{extra}")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--redis", help="POPGATE_REDIS_URL to read revocations from Redis")
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.concurrency, args.rounds, args.redis))
