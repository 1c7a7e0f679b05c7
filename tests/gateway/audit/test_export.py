"""Export round trip: an archive of a period verifies on its own, and tampering with it shows."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from gateway.audit.export import ArchiveError, export_archive, verify_archive
from gateway.audit.signing import LocalSigner
from store.audit import EVENTS
from store.engine import Database
from tests.gateway.audit.support import access, new_box, running_writer


async def _recorded_at(db: Database, seq: int) -> dt.datetime:
    async with db.engine.connect() as conn:
        value = await conn.scalar(select(EVENTS.c.recorded_at).where(EVENTS.c.seq == seq))
    assert isinstance(value, dt.datetime)
    return value


async def test_a_period_cut_from_a_segment_round_trips(database: Database, tmp_path: Path) -> None:
    signer = LocalSigner.generate()
    async with running_writer(
        database, box=new_box(), signer=signer, checkpoint_seconds=0.000001
    ) as writer:
        for n in range(10):
            await writer.record(access(n))
    start, end = await _recorded_at(database, 4), await _recorded_at(database, 8)
    path = tmp_path / "period.zip"
    summary = await export_archive(database, signer, start, end, path)
    assert summary.events == 4 and summary.segments == 1

    report = verify_archive(path, signer)
    assert report.ok, report.findings
    assert report.events == 4 and report.checkpoints >= 4
    with zipfile.ZipFile(path) as z:
        reasons = [json.loads(line)["reason"] for line in z.read("events.jsonl").splitlines()]
        manifest = json.loads(z.read("manifest.json"))
    assert reasons == ["case 3", "case 4", "case 5", "case 6"]
    assert manifest["segments"][0]["first_seq"] == 4 and manifest["segments"][0]["last_seq"] == 7


async def test_an_archive_is_only_trusted_under_the_signing_key(
    database: Database, tmp_path: Path
) -> None:
    signer = LocalSigner.generate()
    async with running_writer(database, signer=signer) as writer:
        await writer.record(access(1))
    path = tmp_path / "all.zip"
    far = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
    await export_archive(database, signer, dt.datetime(2000, 1, 1, tzinfo=dt.UTC), far, path)
    with pytest.raises(ArchiveError, match="signature"):
        verify_archive(path, LocalSigner.generate())
    (tmp_path / "junk.zip").write_bytes(b"not a zip")
    with pytest.raises(ArchiveError, match="not a readable archive"):
        verify_archive(tmp_path / "junk.zip", signer)
