"""Authorized lookups per second and p50/p99 through the gateway, beside direct registry calls.

One run, same machine, same residents: a `popgate sandbox serve` process is the registry; the
baseline sends the lookups straight to it through `RestRegistry` (signed, as the gateway does);
then the same lookups go through 1 and 2 `popgate serve` processes (token check, policy, rate and
quota, audit commit, registry call). Rounds are interleaved; medians are reported.

Run: `.venv/bin/python bench/gateway.py [--seconds 5] [--concurrency 32] [--rounds 3]
      [--database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test]
      [--redis-url redis://127.0.0.1:6379/0]`
Targets (issue 6): the gateway keeps >= 60% of the direct rate and adds < 5 ms at p50.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import statistics
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.registry import Call, drive, requests_for
from connectors.rest import RestRegistry
from connectors.sandbox.credentials import load_or_create
from connectors.sandbox.seed import residents
from connectors.signing import Credentials
from schemas.registry import LookupRequest
from tests.support.server import POPGATE, popgate_env, running

RESIDENTS = 10_000
PURPOSE = "BENCH_LOOKUP"
FIELDS = ("full_name", "date_of_birth", "sex", "permanent_address", "household", "relatives")


def popgate_json(data_dir: Path, env: dict[str, str], *args: str) -> dict[str, str]:
    result = subprocess.run(
        [POPGATE, *args],
        env=popgate_env(data_dir, env),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=data_dir,
        check=True,
    )
    return json.loads(result.stdout) if result.stdout.strip().startswith("{") else {}


def gateway_env(
    registry_url: str, creds: Credentials, database_url: str | None, redis_url: str | None = None
) -> dict[str, str]:
    env = {
        "POPGATE_REGISTRY_URL": registry_url,
        "POPGATE_REGISTRY_APP_NAME": creds.app_name,
        "POPGATE_REGISTRY_ACCESS_KEY": creds.access_key,
        "POPGATE_REGISTRY_SECRET_KEY": creds.secret_key,
        "POPGATE_RATE_LIMIT": "1000000/second",
        "POPGATE_BOOTSTRAP": "false",
        "POPGATE_LOG_LEVEL": "WARNING",
        # Processes behind one address share one issuer, as behind a load balancer.
        "POPGATE_PUBLIC_URL": "http://localhost:8080",
    }
    if database_url:
        env["POPGATE_DATABASE_URL"] = database_url
    if redis_url:
        env["POPGATE_REDIS_URL"] = redis_url
    return env


def register_bench_client(data_dir: Path, env: dict[str, str]) -> tuple[str, str]:
    data_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [POPGATE, "db", "upgrade"], env=popgate_env(data_dir, env), check=True, cwd=data_dir
    )
    client = popgate_json(
        data_dir, env, "clients", "create", "bench", "--scopes", "residents.lookup"
    )
    popgate_json(
        data_dir, env,
        "grants", "create", "--client", client["client_id"], "--fields", ",".join(FIELDS),
        "--purposes", PURPOSE, "--legal-basis", "benchmark (no legal effect)",
    )  # fmt: skip
    return client["client_id"], client["client_secret"]


async def token_for(session: aiohttp.ClientSession, url: str, cid: str, secret: str) -> str:
    auth = base64.b64encode(f"{cid}:{secret}".encode()).decode()
    async with session.post(
        url + "/oauth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {auth}"},
    ) as resp:
        assert resp.status == 200, await resp.text()
        return str((await resp.json())["access_token"])


def through_gateways(session: aiohttp.ClientSession, urls: list[str], token: str) -> Call:
    turn = 0
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    async def call(request: LookupRequest) -> object:
        nonlocal turn
        turn += 1
        body = json.dumps(
            {
                "personal_id": request.personal_id.digits,
                "fields": list(request.fields),
                "purpose": PURPOSE,
                "reason": "benchmark lookup",
            }
        )
        url = urls[turn % len(urls)] + "/v1/residents/lookup"
        async with session.post(url, data=body, headers=headers) as resp:
            assert resp.status == 200, await resp.text()
            return await resp.read()

    return call


async def bench(
    registry_url: str, creds: Credentials, gateways: list[str], client: tuple[str, str], args
) -> None:
    ids = [p["personal_id"] for p in residents(RESIDENTS, seed=1)]
    work = [
        r.model_copy(update={"purpose": PURPOSE})
        for r in requests_for(ids[:: max(1, len(ids) // 2000)])
    ]
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=args.concurrency * 2))
    direct = RestRegistry(registry_url, creds)
    try:
        token = await token_for(session, gateways[0], *client)
        modes: dict[str, Call] = {
            "direct (RestRegistry)": direct.lookup,
            "gateway, 1 process": through_gateways(session, gateways[:1], token),
            "gateway, 2 processes": through_gateways(session, gateways, token),
        }
        results: dict[str, list[tuple[float, float, float]]] = {m: [] for m in modes}
        for call in modes.values():
            await drive(call, work, 1.0, args.concurrency)
        for _ in range(args.rounds):
            for name, call in modes.items():
                results[name].append(await drive(call, work, args.seconds, args.concurrency))
    finally:
        await direct.close()
        await session.close()
    med = {
        name: tuple(statistics.median(r[i] for r in rows) for i in range(3))
        for name, rows in results.items()
    }
    print(f"\nlookups, concurrency {args.concurrency}, {args.seconds}s x {args.rounds} (median)")
    print(f"{'mode':<24}{'lookups/s':>12}{'p50 ms':>10}{'p99 ms':>10}{'vs direct':>11}")
    base_rate, base_p50, _ = med["direct (RestRegistry)"]
    for name, (rate, p50, p99) in med.items():
        print(f"{name:<24}{rate:>12,.0f}{p50:>10.2f}{p99:>10.2f}{rate / base_rate:>11.0%}")
    for name in ("gateway, 1 process", "gateway, 2 processes"):
        rate, p50, _ = med[name]
        print(
            f"{name}: {rate / base_rate:.0%} of direct (target >= 60%), "
            f"+{p50 - base_p50:.2f} ms at p50 (target < 5 ms)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--redis-url", default=None, help="e.g. redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        sandbox_dir, gateway_dir = Path(tmp, "sandbox"), Path(tmp, "gateway")
        env = {"POPGATE_SANDBOX_RESIDENTS": str(RESIDENTS), "POPGATE_SANDBOX_SEED": "1"}
        sandbox = stack.enter_context(running(["sandbox", "serve"], sandbox_dir, env=env))
        creds = load_or_create(sandbox_dir)
        genv = gateway_env(sandbox.url, creds, args.database_url, args.redis_url)
        client = register_bench_client(gateway_dir, genv)
        gateways = [
            stack.enter_context(running(["serve"], gateway_dir, env=genv)).url for _ in range(2)
        ]
        try:
            import uvloop

            uvloop.run(bench(sandbox.url, creds, gateways, client, args))
        except ImportError:
            asyncio.run(bench(sandbox.url, creds, gateways, client, args))


if __name__ == "__main__":
    main()
