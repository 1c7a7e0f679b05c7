"""`popgate audit verify`, `export` and `prune` as an operator runs them, on a SQLite data dir."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import subprocess
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import update

from gateway.audit.export import ArchiveError, export_archive, verify_archive
from gateway.audit.retention import prune
from gateway.audit.service import open_audit_log
from gateway.audit.verify import verify_database
from gateway.audit.writer import AuditWriter, WriterOptions
from schemas.settings import Settings
from store import migrate
from store.audit import AuditEventRow
from store.engine import Database, create_database
from tests.gateway.audit.support import access
from tests.support.server import POPGATE, popgate_env


async def _write_log(data_dir: Path, n: int = 12) -> Database:
    settings = Settings(data_dir=data_dir)
    db = create_database(settings.resolved_database_url())
    await migrate.upgrade(db)
    log = await open_audit_log(settings, db)
    writer = AuditWriter(db, log.box, log.signer, WriterOptions(checkpoint_seconds=0.000001))
    await writer.start()
    for i in range(n):
        await writer.record(access(i))
    await writer.stop()
    return db


def _popgate(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [POPGATE, "audit", *args],
        env=popgate_env(data_dir),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(_popgate, data_dir, *args)


async def test_verify_command_passes_an_honest_log_and_fails_naming_the_edited_event(
    tmp_path: Path,
) -> None:
    db = await _write_log(tmp_path)
    honest = await _cli(tmp_path, "verify")
    assert honest.returncode == 0, honest.stderr
    assert "12 event(s)" in honest.stdout and "intact" in honest.stdout

    async with db.engine.begin() as conn:
        await conn.execute(
            update(AuditEventRow.__table__).where(AuditEventRow.seq == 5).values(client_id="x")
        )
    await db.dispose()
    tampered = await _cli(tmp_path, "verify")
    assert tampered.returncode == 1
    assert "TAMPERED: edited: event id" in tampered.stderr and "seq 5" in tampered.stderr


async def test_verify_since_ignores_events_before_the_given_time(tmp_path: Path) -> None:
    db = await _write_log(tmp_path)
    async with db.engine.begin() as conn:
        await conn.execute(
            update(AuditEventRow.__table__).where(AuditEventRow.seq == 2).values(client_id="x")
        )
    await db.dispose()
    tomorrow = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()
    assert (await _cli(tmp_path, "verify", "--since", tomorrow)).returncode == 0
    assert (await _cli(tmp_path, "verify", "--since", "2000-01-01")).returncode == 1
    bad = await _cli(tmp_path, "verify", "--since", "yesterday")
    assert bad.returncode == 2 and "ISO 8601" in bad.stderr


async def test_export_writes_a_signed_archive_that_verifies_on_its_own(tmp_path: Path) -> None:
    db = await _write_log(tmp_path)
    await db.dispose()
    archive = tmp_path / "2026-11.zip"
    done = await _cli(
        tmp_path, "export", "--from", "2000-01-01", "--to", "2100-01-01", str(archive)
    )
    assert done.returncode == 0, done.stderr
    assert "12 event(s)" in done.stdout
    with zipfile.ZipFile(archive) as z:
        assert set(z.namelist()) == {
            "events.jsonl",
            "checkpoints.jsonl",
            "manifest.json",
            "manifest.jws",
        }
        lines = z.read("events.jsonl").decode().splitlines()
    assert len(lines) == 12
    assert "001099012345" not in "".join(lines)
    checked = await _cli(tmp_path, "verify", "--archive", str(archive))
    assert checked.returncode == 0, checked.stderr


async def test_an_edited_archive_fails_verification(tmp_path: Path) -> None:
    db = await _write_log(tmp_path)
    settings = Settings(data_dir=tmp_path)
    log = await open_audit_log(settings, db)
    archive = tmp_path / "a.zip"
    start = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    await export_archive(db, log.signer, start, dt.datetime.now(dt.UTC), archive)
    await db.dispose()
    assert verify_archive(archive, log.signer).ok

    with zipfile.ZipFile(archive) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    events = parts["events.jsonl"].decode().splitlines()
    row = json.loads(events[3])
    row["purpose"] = "curiosity"
    events[3] = json.dumps(row)
    edited = tmp_path / "edited.zip"
    with zipfile.ZipFile(edited, "w") as z:
        for name, blob in parts.items():
            z.writestr(name, "\n".join(events) + "\n" if name == "events.jsonl" else blob)
    with pytest.raises(ArchiveError, match="differs from the signed manifest"):
        verify_archive(edited, log.signer)
    result = await _cli(tmp_path, "verify", "--archive", str(edited))
    assert result.returncode == 1 and "TAMPERED" in result.stderr


async def test_prune_keeps_the_seal_so_verify_tells_expiry_from_deletion(tmp_path: Path) -> None:
    db = await _write_log(tmp_path, n=3)
    settings = Settings(data_dir=tmp_path)
    log = await open_audit_log(settings, db)
    future = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    summary = await prune(db, future)
    assert (summary.segments, summary.events) == (1, 3)
    assert (await verify_database(db, log.signer, retention=dt.timedelta(0))).ok
    # The same pruning judged against a 10-year retention is a deletion.
    early = await verify_database(db, log.signer)
    assert [f.kind for f in early.findings] == ["deleted"]
    await db.dispose()


async def test_prune_command_leaves_a_recent_log_alone(tmp_path: Path) -> None:
    db = await _write_log(tmp_path, n=3)
    await db.dispose()
    result = await _cli(tmp_path, "prune")
    assert result.returncode == 0 and "pruned 0 event(s)" in result.stdout
    assert (await _cli(tmp_path, "verify")).returncode == 0
