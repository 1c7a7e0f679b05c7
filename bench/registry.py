"""Registry lookups per second and p50/p99 through each connector, beside raw aiohttp POSTs.

Starts `popgate sandbox serve` as a separate process (seeded with 10,000 residents), then, in this
process and the same run, drives the same lookups four ways: raw signed aiohttp POSTs to the REST
endpoint, `RestRegistry`, raw signed aiohttp POSTs of a SOAP envelope to `/soap`, `SoapRegistry`.
Each mode runs `--rounds` times, interleaved; medians are reported.

Run: `.venv/bin/python bench/registry.py [--seconds 5] [--concurrency 16] [--rounds 3]`
Targets: REST connector >= 85% of raw REST, SOAP connector >= 50% of raw SOAP.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from connectors.rest import LOOKUP_PATH, RestRegistry
from connectors.sandbox.credentials import load_or_create
from connectors.sandbox.seed import residents
from connectors.signing import Credentials, sign
from connectors.soap import SoapRegistry
from schemas.registry import LookupRequest
from tests.support.server import running

FIELDS = ("full_name", "date_of_birth", "sex", "permanent_address", "household", "relatives")
RESIDENTS = 10_000


def requests_for(ids: list[str]) -> list[LookupRequest]:
    return [
        LookupRequest(
            personal_id=pid,
            fields=FIELDS,
            purpose="BENCH",
            reason="benchmark",
            requesting_unit="bench",
        )
        for pid in ids
    ]


def soap_envelope(request: LookupRequest) -> bytes:
    fields = "".join(f"<field>{f}</field>" for f in request.fields)
    return (
        '<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body>'
        '<LookupResident xmlns="urn:popgate:registry:v1">'
        f"<personalId>{request.personal_id.digits}</personalId><fields>{fields}</fields>"
        f"<purpose>{request.purpose}</purpose><reason>{request.reason}</reason>"
        f"<requestingUnit>{request.requesting_unit}</requestingUnit>"
        "</LookupResident></e:Body></e:Envelope>"
    ).encode()


Call = Callable[[LookupRequest], Awaitable[object]]


def raw_rest(session: aiohttp.ClientSession, url: str, creds: Credentials) -> Call:
    async def call(request: LookupRequest) -> object:
        body = json.dumps(request.model_dump(mode="json")).encode()
        headers = sign(creds, "POST", LOOKUP_PATH, body)
        headers["Content-Type"] = "application/json"
        async with session.post(url + LOOKUP_PATH, data=body, headers=headers) as resp:
            assert resp.status == 200, resp.status
            return await resp.read()

    return call


def raw_soap(session: aiohttp.ClientSession, url: str, creds: Credentials) -> Call:
    async def call(request: LookupRequest) -> object:
        body = soap_envelope(request)
        headers = sign(creds, "POST", "/soap", body)
        headers["Content-Type"] = "text/xml; charset=utf-8"
        async with session.post(url + "/soap", data=body, headers=headers) as resp:
            assert resp.status == 200, resp.status
            return await resp.read()

    return call


async def drive(call: Call, work: list[LookupRequest], seconds: float, concurrency: int):
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    position = 0

    async def worker() -> None:
        nonlocal position
        while time.perf_counter() < deadline:
            request = work[position % len(work)]
            position += 1
            started = time.perf_counter()
            await call(request)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return (
        len(latencies) / elapsed,
        latencies[len(latencies) // 2] * 1000,
        latencies[int(len(latencies) * 0.99)] * 1000,
    )


async def bench(url: str, creds: Credentials, args: argparse.Namespace) -> None:
    ids = [p["personal_id"] for p in residents(RESIDENTS, seed=1)]
    work = requests_for(ids[:: max(1, len(ids) // 2000)])
    connector = aiohttp.TCPConnector(limit=args.concurrency)
    session = aiohttp.ClientSession(connector=connector)
    rest = RestRegistry(url, creds)
    soap = SoapRegistry(url, creds)
    modes: dict[str, Call] = {
        "raw REST POST": raw_rest(session, url, creds),
        "RestRegistry": rest.lookup,
        "raw SOAP POST": raw_soap(session, url, creds),
        "SoapRegistry": soap.lookup,
    }
    results: dict[str, list[tuple[float, float, float]]] = {m: [] for m in modes}
    try:
        for call in modes.values():  # warm-up: connections, caches
            await drive(call, work, 0.5, args.concurrency)
        for _ in range(args.rounds):
            for name, call in modes.items():
                results[name].append(await drive(call, work, args.seconds, args.concurrency))
    finally:
        await rest.close()
        await soap.close()
        await session.close()

    med = {
        name: tuple(statistics.median(r[i] for r in rows) for i in range(3))
        for name, rows in results.items()
    }
    rounds = f"{args.seconds}s x {args.rounds} rounds (median)"
    print(f"\nlookups, concurrency {args.concurrency}, {rounds}")
    print(f"{'mode':<16}{'lookups/s':>12}{'p50 ms':>10}{'p99 ms':>10}")
    for name, (rate, p50, p99) in med.items():
        print(f"{name:<16}{rate:>12,.0f}{p50:>10.2f}{p99:>10.2f}")
    rest_ratio = med["RestRegistry"][0] / med["raw REST POST"][0]
    soap_ratio = med["SoapRegistry"][0] / med["raw SOAP POST"][0]
    print(f"\nRestRegistry / raw REST: {rest_ratio:.0%} (target >= 85%)")
    print(f"SoapRegistry / raw SOAP: {soap_ratio:.0%} (target >= 50%)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        env = {"POPGATE_SANDBOX_RESIDENTS": str(RESIDENTS), "POPGATE_SANDBOX_SEED": "1"}
        with running(["sandbox", "serve"], data_dir, env=env) as server:
            creds = load_or_create(data_dir)
            try:
                import uvloop

                uvloop.run(bench(server.url, creds, args))
            except ImportError:
                asyncio.run(bench(server.url, creds, args))


if __name__ == "__main__":
    main()
