"""Signed archives of the audit log for long-term keeping: JSON lines plus a signed manifest.

An archive is a ZIP file holding `events.jsonl` (one stored event per line, resident as keyed hash
and ciphertext, never in clear), `checkpoints.jsonl`, `manifest.json` and `manifest.jws`. The
manifest names, per segment, the first and last seq with the chain hashes at both ends, and the
SHA-256 of each file; its JWS is made by the checkpoint signer. An archive is checked on its own:
signature, digests, then each segment's chain and checkpoints as `verify` does on the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from gateway.audit.chain import canonical_value
from gateway.audit.signing import BadSignature, Signer
from gateway.audit.verify import Finding, SegmentCheck, VerifyReport
from store.audit import CHECKPOINTS, EVENTS
from store.engine import Database

FORMAT = "popgate-audit-archive/1"


class ArchiveError(ValueError):
    """An archive that is not a popgate audit archive, or whose signature or digests fail."""


@dataclass(frozen=True)
class ExportSummary:
    events: int
    checkpoints: int
    segments: int


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    # The canonical forms: what the hash is taken over, so an exported line re-hashes as stored.
    return {k: canonical_value(v) for k, v in row.items()}


def _line(row: dict[str, Any]) -> bytes:
    return json.dumps(_jsonable(row), ensure_ascii=False, sort_keys=True).encode() + b"\n"


async def export_archive(
    db: Database, signer: Signer, start: dt.datetime, end: dt.datetime, path: Path
) -> ExportSummary:
    """Write every event recorded in [start, end) to `path`, with whole runs of each segment."""
    async with db.engine.connect() as conn:
        spans = (
            await conn.execute(
                select(EVENTS.c.segment, func.min(EVENTS.c.seq), func.max(EVENTS.c.seq))
                .where(EVENTS.c.recorded_at >= start, EVENTS.c.recorded_at < end)
                .group_by(EVENTS.c.segment)
                .order_by(EVENTS.c.segment)
            )
        ).all()
    events = bytearray()
    checkpoints = bytearray()
    segments: list[dict[str, Any]] = []
    n_events = n_checkpoints = 0
    for segment, first, last in spans:
        async with db.engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(EVENTS)
                    .where(EVENTS.c.segment == segment, EVENTS.c.seq.between(first, last))
                    .order_by(EVENTS.c.seq)
                )
            ).all()
            cps = (
                await conn.execute(
                    select(CHECKPOINTS)
                    .where(
                        CHECKPOINTS.c.segment == segment,
                        CHECKPOINTS.c.seq.between(first - 1, last),
                    )
                    .order_by(CHECKPOINTS.c.seq, CHECKPOINTS.c.id)
                )
            ).all()
        for r in rows:
            events += _line(dict(r._mapping))
        for c in cps:
            checkpoints += _line(dict(c._mapping))
        n_events += len(rows)
        n_checkpoints += len(cps)
        segments.append(
            {
                "segment": segment,
                "first_seq": first,
                "last_seq": last,
                "first_prev_hash": rows[0].prev_hash,
                "last_hash": rows[-1].hash,
            }
        )
    manifest = {
        "format": FORMAT,
        "from": canonical_value(start),
        "to": canonical_value(end),
        "exported_at": canonical_value(dt.datetime.now(dt.UTC)),
        "segments": segments,
        "files": {
            "events.jsonl": {"sha256": hashlib.sha256(events).hexdigest(), "lines": n_events},
            "checkpoints.jsonl": {
                "sha256": hashlib.sha256(checkpoints).hexdigest(),
                "lines": n_checkpoints,
            },
        },
    }
    tmp = path.with_name(path.name + ".partial")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("events.jsonl", bytes(events))
        archive.writestr("checkpoints.jsonl", bytes(checkpoints))
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
        archive.writestr("manifest.jws", signer.sign(manifest))
    tmp.replace(path)
    return ExportSummary(n_events, n_checkpoints, len(segments))


def _read(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        return archive.read(name)
    except KeyError:
        raise ArchiveError(f"the archive has no {name}") from None


def verify_archive(path: Path, signer: Signer) -> VerifyReport:
    """Check an archive on its own; `ArchiveError` when unreadable or its manifest is unsigned."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise ArchiveError(f"{path} is not a readable archive: {exc}") from None
    with archive:
        try:
            manifest = signer.verify(_read(archive, "manifest.jws").decode())
        except BadSignature as exc:
            raise ArchiveError(f"the manifest signature does not verify: {exc}") from None
        if manifest.get("format") != FORMAT:
            raise ArchiveError("not a popgate audit archive")
        blobs = {name: _read(archive, name) for name in ("events.jsonl", "checkpoints.jsonl")}
    for name, blob in blobs.items():
        if hashlib.sha256(blob).hexdigest() != manifest["files"][name]["sha256"]:
            raise ArchiveError(f"{name} differs from the signed manifest")
    events = [json.loads(line) for line in blobs["events.jsonl"].splitlines()]
    checkpoints = [json.loads(line) for line in blobs["checkpoints.jsonl"].splitlines()]
    report = VerifyReport()
    for span in manifest["segments"]:
        number = span["segment"]
        cps = [c for c in checkpoints if c["segment"] == number]
        for c in cps:
            c["signed_at"] = dt.datetime.fromisoformat(c["signed_at"].replace("Z", "+00:00"))
        check = SegmentCheck(
            number,
            report,
            start_seq=span["first_seq"],
            start_prev=span["first_prev_hash"],
            checkpoint_seqs=[c["seq"] for c in cps],
        )
        for row in (e for e in events if e["segment"] == number):
            check.feed(row)
        check.finish()
        if check.broken_at is None and (
            check.last_seq != span["last_seq"] or check.prev != span["last_hash"]
        ):
            report.findings.append(
                Finding(
                    "deleted",
                    number,
                    check.last_seq + 1,
                    None,
                    f"deleted: segment {number} in the archive ends at seq {check.last_seq}, "
                    f"the manifest at seq {span['last_seq']}",
                )
            )
        check.check_checkpoints(signer, cps, complete=False)
    # A run cut out of a segment need not end at a final checkpoint.
    report.unsealed = []
    report.segments = len(manifest["segments"])
    return report
