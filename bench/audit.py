"""Audited events per second through the group-committing writer, beside plain single-row inserts.

Run:  .venv/bin/python bench/audit.py [--events 3000] [--concurrency 64] [--backend sqlite]
(PostgreSQL: the machine's server, POPGATE_TEST_POSTGRES_URL or postgres@127.0.0.1:5432/test, in a
schema of its own that is dropped afterwards.)

For each backend, in the same run:
- baseline: `concurrency` tasks each building an event row (same encryption and hashing) and
  committing it in a transaction of its own, the way a request would without a writer;
- writer: `concurrency` tasks calling `AuditWriter.record`, each waiting for its own commit.
Printed: events/s, the wait of one call (p50, p99), the writer's mean group size, the ratio of
writer to baseline throughput, and how fast `audit verify` re-computes the log just written.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable

from sqlalchemy import MetaData, Table, insert, text
from sqlalchemy.ext.asyncio import create_async_engine

from gateway.audit.chain import event_row
from gateway.audit.signing import LocalSigner
from gateway.audit.verify import verify_database
from gateway.audit.writer import AuditWriter, WriterOptions
from schemas.audit import AuditEvent, EventType, Outcome
from schemas.personal_id import PersonalId
from store import migrate
from store.audit import EVENTS
from store.base import utcnow
from store.engine import Database, create_database
from store.secretbox import SecretBox

POSTGRES_URL = os.environ.get(
    "POPGATE_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
RESIDENT = PersonalId("001099012345")


def _event(n: int) -> AuditEvent:
    return AuditEvent(
        type=EventType.DATA_ACCESS,
        outcome=Outcome.OK,
        client_id="bench-client",
        actor="unit-1",
        purpose="tax.assessment",
        reason=f"bench {n}",
        legal_basis="Law 38/2019 art. 17",
        resident=RESIDENT,
        fields_returned=("full_name", "date_of_birth", "permanent_address"),
        correlation_id=uuid.uuid4().hex,
    )


async def _drive(
    total: int, concurrency: int, one: Callable[[int], Awaitable[None]]
) -> tuple[float, list[float]]:
    waits: list[float] = []
    counter = iter(range(total))

    async def worker() -> None:
        for n in counter:
            started = time.perf_counter()
            await one(n)
            waits.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started, waits


def _plain_table(metadata: MetaData) -> Table:
    return Table("bench_plain", metadata, *[c._copy() for c in EVENTS.columns])


async def _baseline(db: Database, box: SecretBox, total: int, concurrency: int):  # type: ignore[no-untyped-def]
    table = _plain_table(MetaData())
    async with db.engine.begin() as conn:
        await conn.run_sync(table.create)

    async def one(n: int) -> None:
        row = event_row(_event(n), box, segment=0, seq=n, prev_hash="0" * 64, recorded_at=utcnow())
        async with db.engine.begin() as conn:
            await conn.execute(insert(table), [row])

    return await _drive(total, concurrency, one)


async def _writer(  # type: ignore[no-untyped-def]
    db: Database, box: SecretBox, signer: LocalSigner, total: int, concurrency: int
):
    writer = AuditWriter(db, box, signer, WriterOptions(commit_timeout=60))
    await writer.start()
    try:
        elapsed, waits = await _drive(total, concurrency, lambda n: writer.record(_event(n)))
        groups = writer.batches
    finally:
        await writer.stop()
    started = time.perf_counter()
    report = await verify_database(db, signer)
    verify_s = time.perf_counter() - started
    assert report.ok, report.findings
    return elapsed, waits, total / max(groups, 1), report.events / verify_s


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def _run_backend(name: str, db: Database, total: int, concurrency: int) -> None:
    await migrate.upgrade(db)
    box = SecretBox(os.urandom(32))
    signer = LocalSigner.generate()
    await _writer(db, box, signer, 200, concurrency)  # warm-up: connections, caches
    base_s, base_waits = await _baseline(db, box, total, concurrency)
    w_s, w_waits, group, verified = await _writer(db, box, signer, total, concurrency)
    base_rate, w_rate = total / base_s, total / w_s
    print(
        f"{name:<11} baseline single-row commits: {base_rate:8.0f} events/s   "
        f"wait p50 {_pct(base_waits, 0.5):7.2f} ms  p99 {_pct(base_waits, 0.99):7.2f} ms"
    )
    print(
        f"{name:<11} audit writer (chained):      {w_rate:8.0f} events/s   "
        f"wait p50 {_pct(w_waits, 0.5):7.2f} ms  p99 {_pct(w_waits, 0.99):7.2f} ms   "
        f"mean group {group:.0f}   x{w_rate / base_rate:.1f} vs baseline"
    )
    print(f"{name:<11} audit verify re-computes:     {verified:8.0f} events/s (the whole log)")
    print(
        f"{name:<11} median wait ratio writer/baseline: "
        f"{statistics.median(w_waits) / statistics.median(base_waits):.2f}"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], action="append")
    args = parser.parse_args()
    backends = args.backend or ["sqlite", "postgresql"]
    print(
        f"{args.events} events per mode, {args.concurrency} concurrent callers, "
        f"{os.cpu_count()} CPUs"
    )
    if "sqlite" in backends:
        with tempfile.TemporaryDirectory() as tmp:
            db = create_database(f"sqlite+aiosqlite:///{tmp}/bench.db")
            try:
                await _run_backend("sqlite", db, args.events, args.concurrency)
            finally:
                await db.dispose()
    if "postgresql" in backends:
        schema = f"bench_{uuid.uuid4().hex[:12]}"
        admin = create_async_engine(POSTGRES_URL)
        async with admin.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        db = create_database(POSTGRES_URL, schema=schema)
        try:
            await _run_backend("postgresql", db, args.events, args.concurrency)
        finally:
            await db.dispose()
            async with admin.begin() as conn:
                await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            await admin.dispose()


if __name__ == "__main__":
    asyncio.run(main())
