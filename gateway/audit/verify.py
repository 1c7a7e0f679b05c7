"""Re-compute every audit chain and checkpoint, and name the first event that was tampered with.

Each segment is checked on its own, in `seq` order: an event's content against its hash (edited),
its number against its predecessor's (deleted), its `prev_hash` against its predecessor's hash
(inserted, or an earlier event rewritten), and the chain head at each checkpoint against the signed
one. A hash chain alone can be re-computed by anyone with write access; the checkpoints' signatures
are what an attacker cannot forge, so events after a segment's last checkpoint are protected only
against edits that leave the hashes alone. Segment numbers are dense, so a deleted segment shows;
checkpoints are numbered from 0 (signed when the segment opens), so a deleted checkpoint shows; and
a writer seals a segment before opening its next, so only a writer's last segment may lack its
final checkpoint (a writer killed, or still running): `unsealed` lists those, as information.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from gateway.audit.chain import event_hash, genesis_hash
from gateway.audit.checkpoints import check_checkpoint
from gateway.audit.signing import Signer
from store.audit import CHECKPOINTS, EVENTS, SEGMENTS
from store.engine import Database

Row = dict[str, Any]


@dataclass(frozen=True)
class Finding:
    kind: str  # edited, deleted, inserted, reordered, broken-chain, bad-checkpoint, missing-segment
    segment: int
    seq: int
    event_id: int | None
    message: str


@dataclass
class VerifyReport:
    segments: int = 0
    events: int = 0
    checkpoints: int = 0
    unsealed: list[int] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    def first(self) -> Finding | None:
        return min(self.findings, key=lambda f: (f.segment, f.seq), default=None)


def _rehash(row: Row, seq: int) -> str:
    return event_hash({**row, "seq": seq})


class SegmentCheck:
    """Feeds one segment's events in `seq` order; stops at the segment's first chain finding."""

    def __init__(
        self,
        segment: int,
        report: VerifyReport,
        *,
        start_seq: int = 1,
        start_prev: str | None = None,
        checkpoint_seqs: Iterable[int] = (),
    ) -> None:
        self.segment = segment
        self.report = report
        self.expected = start_seq
        self.start_seq = start_seq
        self.prev = start_prev if start_prev is not None else genesis_hash(segment)
        self.prev2: str | None = None
        self.prev_row: Row | None = None
        self.pending: Row | None = None
        self.broken_at: int | None = None
        self.last_seq = start_seq - 1
        self.last_id: int | None = None
        self.watch = set(checkpoint_seqs)
        self.heads: dict[int, str] = {start_seq - 1: self.prev}

    def _find(self, kind: str, row: Row | None, message: str, seq: int | None = None) -> None:
        at = seq if seq is not None else (row["seq"] if row else self.expected)
        self.report.findings.append(
            Finding(kind, self.segment, at, row["id"] if row else None, message)
        )
        self.broken_at = at

    def feed(self, row: Row) -> None:
        if self.pending is not None:
            self._process(self.pending, row)
        self.pending = row

    def finish(self) -> None:
        if self.pending is not None:
            self._process(self.pending, None)
            self.pending = None

    def _process(self, row: Row, nxt: Row | None) -> None:
        self.report.events += 1
        self.last_seq, self.last_id = row["seq"], row["id"]
        if self.broken_at is not None:
            return
        seq, rid, where = row["seq"], row["id"], f"segment {self.segment}"
        if seq > self.expected:
            missing = (
                f"{self.expected}" if seq == self.expected + 1 else f"{self.expected}..{seq - 1}"
            )
            self._find(
                "deleted",
                row,
                f"deleted: event(s) at seq {missing} of {where} are missing before event id {rid}",
                self.expected,
            )
            return
        if event_hash(row) != row["hash"]:
            if (
                _rehash(row, seq + 1) == row["hash"]
                and nxt is not None
                and nxt["seq"] == seq + 1
                and _rehash(nxt, seq) == nxt["hash"]
            ):
                self._find(
                    "reordered",
                    row,
                    f"reordered: events id {rid} and id {nxt['id']} at seq {seq} and {seq + 1} "
                    f"of {where} were swapped",
                )
            elif _rehash(row, seq - 1) == row["hash"]:
                self._find(
                    "inserted",
                    row,
                    f"inserted: an event was inserted into {where} before event id {rid}, "
                    f"which moved from seq {seq - 1} to {seq}",
                    seq - 1,
                )
            elif _rehash(row, seq + 1) == row["hash"]:
                self._find(
                    "deleted",
                    row,
                    f"deleted: an event of {where} was deleted before event id {rid}, "
                    f"which was renumbered from seq {seq + 1} to {seq}",
                )
            else:
                self._find(
                    "edited",
                    row,
                    f"edited: event id {rid} (seq {seq} of {where}) no longer matches its hash",
                )
            return
        if row["prev_hash"] != self.prev:
            if self.prev2 is not None and row["prev_hash"] == self.prev2 and self.prev_row:
                self._find(
                    "inserted",
                    self.prev_row,
                    f"inserted: event id {self.prev_row['id']} (seq {self.prev_row['seq']} of "
                    f"{where}) is not part of the chain: event id {rid} links past it",
                )
            else:
                self._find(
                    "broken-chain",
                    row,
                    f"edited or replaced: event id {rid} (seq {seq} of {where}) does not link to "
                    f"the event before it",
                )
            return
        self.prev2, self.prev, self.prev_row = self.prev, row["hash"], row
        self.expected = seq + 1
        if seq in self.watch:
            self.heads[seq] = row["hash"]

    def check_checkpoints(
        self, signer: Signer, checkpoints: list[Row], *, complete: bool = True
    ) -> None:
        """Signatures always; numbering without gaps (from 0 when `complete`: the whole segment
        is at hand); chain heads where the chain is intact up to the checkpoint."""
        where = f"segment {self.segment}"
        final: Row | None = None
        expected_number: int | None = 0 if complete else None
        for cp in sorted(checkpoints, key=lambda c: (c["number"], c["seq"])):
            self.report.checkpoints += 1
            why = check_checkpoint(signer, cp)
            if why is not None:
                self.report.findings.append(
                    Finding(
                        "bad-checkpoint",
                        self.segment,
                        cp["seq"],
                        None,
                        f"{why}: checkpoint at seq {cp['seq']} of {where}",
                    )
                )
                if expected_number is not None:  # present, if untrustworthy: not also "missing"
                    expected_number = cp["number"] + 1
                continue
            if expected_number is not None and cp["number"] != expected_number:
                missing = (
                    f"{expected_number}"
                    if cp["number"] == expected_number + 1
                    else f"{expected_number}..{cp['number'] - 1}"
                )
                self.report.findings.append(
                    Finding(
                        "deleted",
                        self.segment,
                        cp["seq"],
                        None,
                        f"deleted: checkpoint(s) {missing} of {where} are missing",
                    )
                )
            expected_number = cp["number"] + 1
            if cp["final"]:
                final = cp
            if cp["seq"] < self.start_seq - 1:
                continue
            if self.broken_at is not None and cp["seq"] >= self.broken_at:
                continue
            if cp["seq"] > self.last_seq:
                self.report.findings.append(
                    Finding(
                        "deleted",
                        self.segment,
                        self.last_seq + 1,
                        None,
                        f"deleted: the signed checkpoint vouches for seq {cp['seq']} of {where} "
                        f"but the log ends at seq {self.last_seq}",
                    )
                )
            elif self.heads.get(cp["seq"]) != cp["head_hash"]:
                self.report.findings.append(
                    Finding(
                        "broken-chain",
                        self.segment,
                        cp["seq"],
                        None,
                        f"rewritten: the chain of {where} up to seq {cp['seq']} differs from "
                        f"its signed checkpoint",
                    )
                )
        if expected_number == 0:
            self.report.findings.append(
                Finding(
                    "deleted",
                    self.segment,
                    0,
                    None,
                    f"deleted: {where} has no checkpoints at all (not even the one signed when "
                    f"it was opened)",
                )
            )
        if final is None:
            self.report.unsealed.append(self.segment)
        elif self.last_seq > final["seq"] and self.broken_at is None:
            self.report.findings.append(
                Finding(
                    "inserted",
                    self.segment,
                    final["seq"] + 1,
                    self.last_id,
                    f"inserted: {where} was sealed at seq {final['seq']} but holds events up to "
                    f"seq {self.last_seq}",
                )
            )


def check_segment_numbers(numbers: list[int], report: VerifyReport) -> None:
    """Segments are numbered 1, 2, 3...: a hole is a deleted segment."""
    present = set(numbers)
    for number in range(1, max(present, default=0) + 1):
        if number not in present:
            report.findings.append(
                Finding(
                    "missing-segment",
                    number,
                    0,
                    None,
                    f"deleted: segment {number} is missing, with all its events and checkpoints",
                )
            )


async def _events(db: Database, segment: int, start: int, page: int) -> AsyncIterator[Row]:
    after = start - 1
    while True:
        async with db.engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(EVENTS)
                    .where(EVENTS.c.segment == segment, EVENTS.c.seq > after)
                    .order_by(EVENTS.c.seq)
                    .limit(page)
                )
            ).all()
        for r in rows:
            yield dict(r._mapping)
        if len(rows) < page:
            return
        after = rows[-1].seq


def check_pruned(
    number: int,
    pruned_at: dt.datetime,
    checkpoints: list[Row],
    signer: Signer,
    retention: dt.timedelta,
    report: VerifyReport,
) -> None:
    """A pruned segment keeps its signed final checkpoint, which must predate the retention."""
    finals = [c for c in checkpoints if c["final"] and check_checkpoint(signer, c) is None]
    report.checkpoints += len(checkpoints)
    if not finals or min(c["signed_at"] for c in finals) > pruned_at - retention:
        report.findings.append(
            Finding(
                "deleted",
                number,
                1,
                None,
                f"deleted: segment {number} is marked pruned, but it was not sealed "
                f"{retention.days} days before it was pruned",
            )
        )


async def verify_database(
    db: Database,
    signer: Signer,
    *,
    since: dt.datetime | None = None,
    retention: dt.timedelta = dt.timedelta(days=3650),
    page: int = 5000,
) -> VerifyReport:
    """Check every segment (or, with `since`, the events recorded from then on)."""
    report = VerifyReport()
    async with db.engine.connect() as conn:
        segments = (
            await conn.execute(
                select(SEGMENTS.c.id, SEGMENTS.c.writer, SEGMENTS.c.pruned_at).order_by(
                    SEGMENTS.c.id
                )
            )
        ).all()
    check_segment_numbers([s.id for s in segments], report)
    for number, _writer, pruned_at in segments:
        start, start_prev = 1, None
        async with db.engine.connect() as conn:
            if pruned_at is not None:
                cps = [
                    dict(r._mapping)
                    for r in await conn.execute(
                        select(CHECKPOINTS).where(CHECKPOINTS.c.segment == number)
                    )
                ]
                check_pruned(number, pruned_at, cps, signer, retention, report)
                continue
            if since is not None:
                first = (
                    await conn.execute(
                        select(EVENTS.c.seq, EVENTS.c.prev_hash).where(
                            EVENTS.c.segment == number,
                            EVENTS.c.seq
                            == select(func.min(EVENTS.c.seq))
                            .where(EVENTS.c.segment == number, EVENTS.c.recorded_at >= since)
                            .scalar_subquery(),
                        )
                    )
                ).first()
                if first is None:
                    continue
                start, start_prev = int(first.seq), str(first.prev_hash)
            cps = [
                dict(r._mapping)
                for r in await conn.execute(
                    select(CHECKPOINTS)
                    .where(CHECKPOINTS.c.segment == number)
                    .order_by(CHECKPOINTS.c.seq, CHECKPOINTS.c.id)
                )
            ]
        report.segments += 1
        check = SegmentCheck(
            number,
            report,
            start_seq=start,
            start_prev=start_prev,
            checkpoint_seqs=[c["seq"] for c in cps],
        )
        async for row in _events(db, number, start, page):
            check.feed(row)
        check.finish()
        check.check_checkpoints(signer, cps, complete=since is None)
    check_left_open(segments, report)
    return report


def check_left_open(segments: Sequence[Any], report: VerifyReport) -> None:
    """A writer seals a segment before it opens its next one: only a writer's last segment may be
    open (still running, or killed). An earlier one without its final checkpoint lost it."""
    writers = {s.id: s.writer for s in segments}
    for number in report.unsealed:
        later = [n for n, w in writers.items() if n > number and w == writers.get(number)]
        if later:
            report.findings.append(
                Finding(
                    "deleted",
                    number,
                    0,
                    None,
                    f"deleted: segment {number} has no final checkpoint, yet its writer went on "
                    f"to segment {later[0]}",
                )
            )
