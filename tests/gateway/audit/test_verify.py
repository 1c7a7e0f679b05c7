"""`verify` passes an honest log and names the first edited, deleted, inserted or moved event."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import delete, insert, select, text, update

from gateway.audit.chain import event_row
from gateway.audit.signing import LocalSigner
from gateway.audit.verify import VerifyReport, verify_database
from store.audit import AuditCheckpoint, AuditEventRow, AuditSegment
from store.engine import Database
from store.secretbox import SecretBox
from tests.gateway.audit.support import access, new_box, running_writer

EVENTS = AuditEventRow.__table__


@pytest.fixture
def signer() -> LocalSigner:
    return LocalSigner.generate()


@pytest.fixture
def box() -> SecretBox:
    return new_box()


async def _honest_log(db: Database, box: SecretBox, signer: LocalSigner, n: int = 10) -> None:
    # A checkpoint after every group: each record below is its own group.
    async with running_writer(db, box=box, signer=signer, checkpoint_seconds=0.000001) as w:
        for i in range(n):
            await w.record(access(i))


async def _sql(db: Database, *statements: object) -> None:
    async with db.engine.begin() as conn:
        for statement in statements:
            await conn.execute(statement)  # type: ignore[call-overload]


async def _row(db: Database, seq: int) -> dict[str, object]:
    async with db.engine.connect() as conn:
        row = (await conn.execute(select(EVENTS).where(EVENTS.c.seq == seq))).one()
    return dict(row._mapping)


def _first(report: VerifyReport) -> tuple[str, int]:
    first = report.first()
    assert first is not None, "verify found nothing"
    return first.kind, first.seq


async def test_an_honest_log_verifies(
    database: Database, box: SecretBox, signer: LocalSigner
) -> None:
    await _honest_log(database, box, signer)
    report = await verify_database(database, signer)
    assert report.ok, report.findings
    assert report.events == 10 and report.checkpoints >= 10


async def test_an_edited_event_is_named(
    database: Database, box: SecretBox, signer: LocalSigner
) -> None:
    await _honest_log(database, box, signer)
    await _sql(database, update(EVENTS).where(EVENTS.c.seq == 4).values(purpose="curiosity"))
    report = await verify_database(database, signer)
    assert _first(report) == ("edited", 4)
    assert "event id" in report.findings[0].message


async def test_an_edit_with_recomputed_hashes_is_caught_by_the_signed_checkpoints(
    database: Database, box: SecretBox, signer: LocalSigner
) -> None:
    await _honest_log(database, box, signer)
    # The attacker knows the hashing and re-chains everything from seq 4 on.
    prev = str((await _row(database, 3))["hash"])
    for seq in range(4, 11):
        row = await _row(database, seq)
        forged = event_row(
            access(seq, reason="nothing to see"),
            box,
            segment=int(row["segment"]),  # type: ignore[call-overload]
            seq=seq,
            prev_hash=prev,
            recorded_at=row["recorded_at"],  # type: ignore[arg-type]
        )
        await _sql(database, update(EVENTS).where(EVENTS.c.id == row["id"]).values(**forged))
        prev = forged["hash"]
    report = await verify_database(database, signer)
    assert _first(report) == ("broken-chain", 4)


async def test_a_deleted_event_is_named(
    database: Database, box: SecretBox, signer: LocalSigner
) -> None:
    await _honest_log(database, box, signer)
    await _sql(database, delete(EVENTS).where(EVENTS.c.seq == 6))
    report = await verify_database(database, signer)
    assert _first(report) == ("deleted", 6)


async def test_a_deleted_last_event_is_caught_by_the_final_checkpoint(
    database: Database, box: SecretBox, signer: LocalSigner
) -> None:
    await _honest_log(database, box, signer)
    await _sql(database, delete(EVENTS).where(EVENTS.c.seq == 10))
    report = await verify_database(database, signer)
    assert _first(report) == ("deleted", 10)


async def test_an_inserted_event_is_named(
    database: Database, box: SecretBox, signer: LocalSigner
) -> None:
    await _honest_log(database, box, signer)
    before = await _row(database, 4)
    # Make room at seq 5 (in two steps: the (segment, seq) pair is unique), then splice in.
    await _sql(
        database,
        update(EVENTS).where(EVENTS.c.seq >= 5).values(seq=EVENTS.c.seq + 1000),
        update(EVENTS).where(EVENTS.c.seq >= 1000).values(seq=EVENTS.c.seq - 999),
    )
    forged = event_row(
        access(99, client="snooper"),
        box,
        segment=int(before["segment"]),  # type: ignore[call-overload]
        seq=5,
        prev_hash=str(before["hash"]),
        recorded_at=before["recorded_at"],  # type: ignore[arg-type]
    )
    await _sql(database, insert(EVENTS).values(**forged))
    report = await verify_database(database, signer)
    assert _first(report) == ("inserted", 5)


async def test_an_event_appended_after_the_seal_is_named(
    database: Database, box: SecretBox, signer: LocalSigner
) -> None:
    await _honest_log(database, box, signer)
    last = await _row(database, 10)
    forged = event_row(
        access(99),
        box,
        segment=int(last["segment"]),  # type: ignore[call-overload]
        seq=11,
        prev_hash=str(last["hash"]),
        recorded_at=last["recorded_at"],  # type: ignore[arg-type]
    )
    await _sql(database, insert(EVENTS).values(**forged))
    report = await verify_database(database, signer)
    assert _first(report) == ("inserted", 11)


async def test_a_reordered_pair_is_named(
    database: Database, box: SecretBox, signer: LocalSigner
) -> None:
    await _honest_log(database, box, signer)
    await _sql(
        database,
        update(EVENTS).where(EVENTS.c.seq == 7).values(seq=1007),
        update(EVENTS).where(EVENTS.c.seq == 8).values(seq=7),
        update(EVENTS).where(EVENTS.c.seq == 1007).values(seq=8),
    )
    report = await verify_database(database, signer)
    assert _first(report) == ("reordered", 7)


async def test_a_checkpoint_with_a_bad_signature_is_named(
    database: Database, box: SecretBox, signer: LocalSigner
) -> None:
    await _honest_log(database, box, signer)
    async with database.engine.connect() as conn:
        cp = (
            await conn.execute(
                select(AuditCheckpoint.id, AuditCheckpoint.jws).where(AuditCheckpoint.seq == 3)
            )
        ).one()
    head, payload, sig = cp.jws.split(".")
    flipped = sig[:10] + ("A" if sig[10] != "A" else "B") + sig[11:]
    await _sql(
        database,
        update(AuditCheckpoint.__table__)
        .where(AuditCheckpoint.id == cp.id)
        .values(jws=f"{head}.{payload}.{flipped}"),
    )
    report = await verify_database(database, signer)
    assert _first(report) == ("bad-checkpoint", 3)
    assert "signature" in report.findings[0].message


async def test_a_checkpoint_signed_by_another_key_is_refused(
    database: Database, box: SecretBox, signer: LocalSigner
) -> None:
    await _honest_log(database, box, signer)
    report = await verify_database(database, LocalSigner.generate())
    assert not report.ok
    assert {f.kind for f in report.findings} == {"bad-checkpoint"}


async def test_a_deleted_segment_is_named(
    database: Database, box: SecretBox, signer: LocalSigner
) -> None:
    await _honest_log(database, box, signer, n=2)
    await _honest_log(database, box, signer, n=2)
    await _sql(
        database,
        delete(EVENTS).where(EVENTS.c.segment == 1),
        delete(AuditCheckpoint.__table__).where(AuditCheckpoint.segment == 1),
        delete(AuditSegment.__table__).where(AuditSegment.id == 1),
    )
    report = await verify_database(database, signer)
    assert _first(report) == ("missing-segment", 0)
    assert report.findings[0].segment == 1


async def test_since_checks_only_events_recorded_from_then_on(
    database: Database, box: SecretBox, signer: LocalSigner
) -> None:
    await _honest_log(database, box, signer)
    await _sql(database, update(EVENTS).where(EVENTS.c.seq == 2).values(purpose="curiosity"))
    cut = (await _row(database, 5))["recorded_at"]
    assert isinstance(cut, dt.datetime)
    later = await verify_database(database, signer, since=cut)
    assert later.ok, later.findings
    assert later.events == 6
    assert not (await verify_database(database, signer)).ok


async def test_tampering_needs_no_schema_privileges_beyond_plain_sql(database: Database) -> None:
    # Guards the suite itself: the tests above edit rows with ordinary statements.
    async with database.engine.connect() as conn:
        assert await conn.scalar(text("SELECT 1")) == 1


async def test_a_deleted_checkpoint_is_named(
    database: Database, box: SecretBox, signer: LocalSigner
) -> None:
    await _honest_log(database, box, signer)
    await _sql(database, delete(AuditCheckpoint.__table__).where(AuditCheckpoint.seq == 5))
    report = await verify_database(database, signer)
    assert _first(report) == ("deleted", 6)
    assert "checkpoint(s) 5 of segment 1 are missing" in report.findings[0].message


async def test_dropping_every_checkpoint_to_rewrite_a_segment_is_caught(
    database: Database, box: SecretBox, signer: LocalSigner
) -> None:
    await _honest_log(database, box, signer, n=3)
    await _sql(database, delete(AuditCheckpoint.__table__))
    report = await verify_database(database, signer)
    assert not report.ok
    assert {f.kind for f in report.findings} == {"deleted"}


async def test_a_removed_seal_of_an_earlier_segment_is_named(
    database: Database, box: SecretBox, signer: LocalSigner
) -> None:
    async with running_writer(database, box=box, signer=signer, segment_seconds=0.01) as w:
        await w.record(access(1))
        await asyncio.sleep(0.02)
        await w.record(access(2))
        await w.record(access(3))
    await _sql(
        database,
        delete(AuditCheckpoint.__table__).where(
            AuditCheckpoint.segment == 1, AuditCheckpoint.final.is_(True)
        ),
    )
    report = await verify_database(database, signer)
    assert _first(report) == ("deleted", 0)
    assert "segment 1 has no final checkpoint" in report.findings[0].message


async def test_a_segment_left_open_by_a_killed_writer_is_not_tampering(
    database: Database, box: SecretBox, signer: LocalSigner
) -> None:
    await _honest_log(database, box, signer, n=3)
    await _sql(database, delete(AuditCheckpoint.__table__).where(AuditCheckpoint.final.is_(True)))
    report = await verify_database(database, signer)
    assert report.ok, report.findings
    assert report.unsealed == [1]
