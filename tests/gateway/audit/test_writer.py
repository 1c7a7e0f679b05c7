"""The group-committing audit writer: durable before it returns, batched, and never hanging."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from gateway.audit.signing import LocalSigner
from gateway.audit.verify import verify_database
from gateway.auditing import AuditSink, AuditUnavailable
from store import migrate
from store.audit import AuditCheckpoint, AuditEventRow
from store.engine import Database, create_database
from tests.gateway.audit.support import ALICE, access, new_box, running_writer


async def _count(db: Database) -> int:
    async with db.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(AuditEventRow)) or 0)


async def test_record_returns_only_after_the_event_is_readable_from_another_connection(
    database: Database,
) -> None:
    async with running_writer(database) as writer:
        sink: AuditSink = writer
        for n in range(3):
            await sink.record(access(n))
            # A separate engine sees only committed data.
            other = create_database(database.engine.url.render_as_string(hide_password=False))
            try:
                await _share_schema(database, other)
                async with other.engine.connect() as conn:
                    rows = await conn.scalar(select(func.count()).select_from(AuditEventRow))
            finally:
                await other.dispose()
            assert rows == n + 1


async def _share_schema(source: Database, other: Database) -> None:
    """Point `other` at the same PostgreSQL schema as `source` (a no-op on SQLite)."""
    if source.is_sqlite:
        return
    async with source.engine.connect() as conn:
        schema = await conn.scalar(text("SELECT current_schema()"))

    from sqlalchemy import event

    def _search_path(dbapi_conn: object, _record: object) -> None:
        cursor = dbapi_conn.cursor()  # type: ignore[attr-defined]
        cursor.execute(f'SET search_path TO "{schema}"')
        cursor.close()

    event.listen(other.engine.sync_engine, "connect", _search_path)


async def test_concurrent_callers_are_committed_in_groups(database: Database) -> None:
    async with running_writer(database, batch_max=200) as writer:
        await asyncio.gather(*(writer.record(access(n)) for n in range(400)))
        assert writer.committed == 400
        assert writer.batches < 400 / 4
    assert await _count(database) == 400


async def test_no_resident_id_is_stored_in_clear(database: Database) -> None:
    async with running_writer(database) as writer:
        await writer.record(access(1))
    async with database.engine.connect() as conn:
        row = (await conn.execute(select(AuditEventRow.__table__))).one()
    stored = " ".join(str(v) for v in row)
    assert ALICE not in stored
    assert row.resident_hash and row.resident_enc


async def test_a_locked_database_makes_record_fail_promptly_then_recover(
    database: Database,
) -> None:
    async with running_writer(database, commit_timeout=0.5) as writer:
        await writer.record(access(0))
        async with database.engine.connect() as locker:
            if database.is_sqlite:
                await locker.execute(text("BEGIN EXCLUSIVE"))
            else:
                await locker.execute(text("LOCK TABLE audit_events IN ACCESS EXCLUSIVE MODE"))
            # The first caller's group is under way (blocked); the second waits in the queue.
            with pytest.raises(AuditUnavailable):
                await writer.record(access(1))
            with pytest.raises(AuditUnavailable):
                await writer.record(access(2))
            await locker.rollback()
        await writer.record(access(3))
    async with database.engine.connect() as conn:
        reasons = set((await conn.scalars(select(AuditEventRow.reason))).all())
    # Event 1 was already being written when its caller gave up, so it may land; event 2 was
    # withdrawn before its group began and must not: no access is logged that was refused.
    assert "case 2" not in reasons
    assert {"case 0", "case 3"} <= reasons


async def test_an_unreachable_database_makes_record_raise_audit_unavailable() -> None:
    db = create_database("postgresql+asyncpg://postgres@127.0.0.1:1/none")
    from gateway.audit.writer import AuditWriter, WriterOptions

    writer = AuditWriter(db, new_box(), LocalSigner.generate(), WriterOptions())
    await writer.start()
    with pytest.raises(AuditUnavailable):
        await writer.record(access(0))
    await writer.stop()
    await db.dispose()


async def test_a_writer_started_before_its_tables_exist_recovers_once_they_do(
    tmp_path: Path,
) -> None:
    db = create_database(f"sqlite+aiosqlite:///{tmp_path / 'late.db'}")
    async with running_writer(db) as writer:
        with pytest.raises(AuditUnavailable):
            await writer.record(access(0))
        await migrate.upgrade(db)
        await writer.record(access(1))
    assert await _count(db) == 1
    await db.dispose()


async def test_stop_seals_the_segment_with_a_final_checkpoint(database: Database) -> None:
    signer = LocalSigner.generate()
    async with running_writer(database, signer=signer) as writer:
        for n in range(5):
            await writer.record(access(n))
    async with database.engine.connect() as conn:
        final = (
            await conn.execute(select(AuditCheckpoint.seq).where(AuditCheckpoint.final.is_(True)))
        ).scalar_one()
    assert final == 5
    report = await verify_database(database, signer)
    assert report.ok and report.events == 5 and report.unsealed == []


async def test_segments_rotate_and_each_is_sealed(database: Database) -> None:
    signer = LocalSigner.generate()
    async with running_writer(database, signer=signer, segment_seconds=0.01) as writer:
        for n in range(3):
            await asyncio.sleep(0.02)
            await writer.record(access(n))
    report = await verify_database(database, signer)
    assert report.ok, report.findings
    assert report.segments >= 3 and report.unsealed == []


async def test_two_writers_write_concurrently_into_segments_of_their_own(
    database: Database,
) -> None:
    signer = LocalSigner.generate()
    box = new_box()
    async with (
        running_writer(database, signer=signer, box=box) as one,
        running_writer(database, signer=signer, box=box) as two,
    ):
        await asyncio.gather(*(w.record(access(n)) for n in range(50) for w in (one, two)))
        assert one.segment != two.segment
    report = await verify_database(database, signer)
    assert report.ok and report.events == 100 and report.segments == 2
