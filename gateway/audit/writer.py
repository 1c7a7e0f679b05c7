"""The audit writer: a background task committing events in groups; each caller awaits its own.

Scaling across processes: per-writer segments. Every writer (one per gateway process) opens a
segment of its own and chains only its own events, so processes never wait on each other: there is
no global lock, no shared "last hash" row, and the only cross-process step is allocating a segment
number (max + 1 under a primary key, once per segment, retried on a clash). Sealing one global chain
in order after insert was the alternative; it needs a single sealer that every commit waits for (or
events that are durable but not yet chained), which is the stall X-Road users complain of.

Within a segment events are numbered 1, 2, 3... and each stores its predecessor's hash. The writer
signs checkpoint 0 when it opens the segment, one every `checkpoint_seconds` in the same
transaction as the events it covers, and a final one when it seals the segment (on shutdown, or
every `segment_seconds` when it rotates to a new one). Verify
re-computes each chain and checks it against the checkpoints.

Durability: `record` returns only after the transaction holding the event has committed. A group
is one transaction; when it fails, every caller in it gets `AuditUnavailable` and the writer
re-reads its chain head from the database before the next group (a commit whose answer was
lost may have landed). Callers wait at most `commit_timeout` seconds, queue space included, so
a dead database turns into prompt 503s and never a hang. A caller that gives up withdraws its
event if its group has not begun; once begun, the event may still commit, and its correlation id
then ties it to the 503 that was answered (no data was sent).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from gateway.audit.chain import event_row, genesis_hash
from gateway.audit.checkpoints import Checkpoint, checkpoint_row
from gateway.audit.metrics import AuditMetrics
from gateway.audit.signing import Signer
from gateway.auditing import AuditUnavailable
from schemas.audit import AuditEvent
from store.audit import CHECKPOINTS, EVENTS, SEGMENTS
from store.base import utcnow
from store.engine import Database, describe_error
from store.secretbox import SecretBox

log = logging.getLogger("popgate.audit")


@dataclass(frozen=True)
class WriterOptions:
    queue_size: int = 10_000
    batch_max: int = 500
    commit_timeout: float = 3.0
    checkpoint_seconds: float = 5.0
    segment_seconds: float = 3600.0
    # Longest a PostgreSQL statement of the writer may wait (locks included) before failing.
    statement_timeout_ms: int = 10_000


_Item = tuple[AuditEvent, "asyncio.Future[None]"]


def writer_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


async def open_segment(db: Database, signer: Signer, writer: str, *, attempts: int = 50) -> int:
    """Allocate the next segment number (max + 1) and sign its checkpoint 0 in the same
    transaction; a clash with another process retries."""
    last: Exception | None = None
    for attempt in range(attempts):
        try:
            async with db.engine.begin() as conn:
                current = await conn.scalar(select(func.coalesce(func.max(SEGMENTS.c.id), 0)))
                number = int(current or 0) + 1
                now = utcnow()
                await conn.execute(insert(SEGMENTS).values(id=number, writer=writer, opened_at=now))
                opening = Checkpoint(number, 0, 0, genesis_hash(number), False, now)
                await conn.execute(insert(CHECKPOINTS), [checkpoint_row(signer, opening)])
            return number
        except (IntegrityError, OperationalError) as exc:
            # Another process took the number, or SQLite refused a lock upgrade: try again.
            if isinstance(exc, OperationalError) and "locked" not in str(exc):
                raise AuditUnavailable(
                    f"cannot open an audit segment: {describe_error(exc)}"
                ) from exc
            last = exc
            await asyncio.sleep(0.005 * (attempt + 1))
        except (OSError, SQLAlchemyError) as exc:
            raise AuditUnavailable(f"cannot open an audit segment: {describe_error(exc)}") from exc
    raise AuditUnavailable(f"cannot open an audit segment: {describe_error(last or Exception())}")


class AuditWriter:
    """An `AuditSink` over one database; `start()` before use, `stop()` flushes and seals."""

    def __init__(
        self,
        db: Database,
        box: SecretBox,
        signer: Signer,
        options: WriterOptions | None = None,
        *,
        name: str | None = None,
        metrics: AuditMetrics | None = None,
    ) -> None:
        self._db = db
        self._box = box
        self._signer = signer
        self._opt = options or WriterOptions()
        self._name = name or writer_name()
        self._metrics = metrics
        self._queue: asyncio.Queue[_Item | None] = asyncio.Queue(self._opt.queue_size)
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self.segment = 0
        self._seq = 0
        self._head = ""
        self._opened = 0.0
        self._checkpointed_seq = 0
        self._next_checkpoint = 1
        self._last_checkpoint = 0.0
        self._needs_resync = False
        self._sealed = False
        self.batches = 0
        self.committed = 0

    # -- the sink --------------------------------------------------------------------------

    async def record(self, event: AuditEvent) -> None:
        """Return once `event` is committed; `AuditUnavailable` when not within the timeout."""
        if not self.running:
            raise AuditUnavailable("the audit writer is not running")
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self._opt.commit_timeout):
                await self._queue.put((event, future))
                await asyncio.shield(future)
            if self._metrics:
                self._metrics.wait.observe(time.perf_counter() - started)
        except TimeoutError:
            # Withdrawn: a group not yet begun skips it, so no access is logged that was refused.
            future.cancel()
            raise AuditUnavailable("the audit log did not commit in time") from None
        except asyncio.CancelledError:  # the request itself went away (client disconnected)
            future.cancel()
            raise

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done() and not self._closing

    async def start(self) -> None:
        """Open a segment and start the task; a database that is down now is retried per group."""
        try:
            await self._open_new_segment()
        except AuditUnavailable as exc:
            self._sealed = True  # no usable segment yet: the next group opens one
            log.error("audit writer started without a segment", extra={"error": str(exc)})
        self._task = asyncio.create_task(self._run(), name="audit-writer")

    async def stop(self) -> None:
        """Commit what is queued, seal the segment with a final checkpoint, and end the task."""
        if self._task is None:
            return
        self._closing = True
        if not self._task.done():
            await self._queue.put(None)
        try:
            await self._task
        except Exception:
            log.exception("the audit writer had stopped on an error")
        self._task = None

    # -- the loop --------------------------------------------------------------------------

    async def _open_new_segment(self) -> None:
        self.segment = await open_segment(self._db, self._signer, self._name)
        self._seq = 0
        self._head = genesis_hash(self.segment)
        self._checkpointed_seq = 0
        self._next_checkpoint = 1
        self._sealed = False
        self._opened = self._last_checkpoint = time.monotonic()

    async def _run(self) -> None:
        stopping = False
        while not stopping:
            wait = self._opt.checkpoint_seconds - (time.monotonic() - self._last_checkpoint)
            try:
                first = await asyncio.wait_for(self._queue.get(), timeout=max(wait, 0.01))
            except TimeoutError:
                await self._checkpoint_if_due()
                continue
            batch: list[_Item] = []
            if first is None:
                stopping = True
            else:
                batch.append(first)
            while not stopping and len(batch) < self._opt.batch_max:
                try:
                    item = self._queue.get_nowait()
                except asyncio.QueueEmpty:
                    break
                if item is None:
                    stopping = True
                else:
                    batch.append(item)
            if batch:
                await self._commit(batch)
            if not stopping and time.monotonic() - self._opened >= self._opt.segment_seconds:
                await self._rotate()
        await self._seal()

    async def _commit(self, batch: list[_Item]) -> None:
        batch = [item for item in batch if not item[1].done()]
        if not batch:
            return
        try:
            if self._sealed:  # no segment yet, or a rotation that could not open the next one
                await self._open_new_segment()
            if self._needs_resync:
                await self._resync()
            recorded_at = utcnow()
            seq, head = self._seq, self._head
            rows: list[dict[str, Any]] = []
            for event, _ in batch:
                seq += 1
                row = event_row(
                    event,
                    self._box,
                    segment=self.segment,
                    seq=seq,
                    prev_hash=head,
                    recorded_at=recorded_at,
                )
                head = row["hash"]
                rows.append(row)
            due = time.monotonic() - self._last_checkpoint >= self._opt.checkpoint_seconds
            async with self._db.engine.begin() as conn:
                await self._limit_statement_time(conn)
                await conn.execute(insert(EVENTS), rows)
                if due:
                    cp = Checkpoint(
                        self.segment, self._next_checkpoint, seq, head, False, recorded_at
                    )
                    await conn.execute(insert(CHECKPOINTS), [checkpoint_row(self._signer, cp)])
        except Exception as exc:
            self._needs_resync = True
            reason = describe_error(exc)
            log.error("audit commit failed", extra={"events": len(batch), "error": reason})
            for _, future in batch:
                if not future.done():
                    future.set_exception(AuditUnavailable(f"audit commit failed: {reason}"))
            if self._metrics:
                self._metrics.failed(len(batch))
            return
        self._seq, self._head = seq, head
        if due:
            self._checkpointed_seq, self._last_checkpoint = seq, time.monotonic()
            self._next_checkpoint += 1
        self.batches += 1
        self.committed += len(batch)
        if self._metrics:
            self._metrics.committed(len(batch))
        for _, future in batch:
            if not future.done():
                future.set_result(None)

    async def _limit_statement_time(self, conn: Any) -> None:
        if not self._db.is_sqlite:
            ms = int(self._opt.statement_timeout_ms)
            await conn.execute(text(f"SET LOCAL statement_timeout = {ms}"))

    async def _resync(self) -> None:
        """Re-read this segment's head: a failed commit may have landed after all."""
        async with self._db.engine.connect() as conn:
            numbered = await conn.scalar(
                select(func.max(CHECKPOINTS.c.number)).where(CHECKPOINTS.c.segment == self.segment)
            )
            last = (
                await conn.execute(
                    select(EVENTS.c.seq, EVENTS.c.hash)
                    .where(EVENTS.c.segment == self.segment)
                    .order_by(EVENTS.c.seq.desc())
                    .limit(1)
                )
            ).first()
        if last is None:
            self._seq, self._head = 0, genesis_hash(self.segment)
        else:
            self._seq, self._head = int(last.seq), str(last.hash)
        self._next_checkpoint = int(numbered or 0) + 1
        self._needs_resync = False

    async def _write_checkpoint(self, *, final: bool) -> None:
        if self._needs_resync:
            await self._resync()
        cp = Checkpoint(self.segment, self._next_checkpoint, self._seq, self._head, final, utcnow())
        async with self._db.engine.begin() as conn:
            await self._limit_statement_time(conn)
            await conn.execute(insert(CHECKPOINTS), [checkpoint_row(self._signer, cp)])
        self._checkpointed_seq, self._last_checkpoint = self._seq, time.monotonic()
        self._next_checkpoint += 1

    async def _checkpoint_if_due(self) -> None:
        self._last_checkpoint = time.monotonic()
        if self._sealed or (self._seq == self._checkpointed_seq and not self._needs_resync):
            return
        try:
            await self._write_checkpoint(final=False)
        except Exception as exc:
            self._needs_resync = True
            log.error("audit checkpoint failed", extra={"error": describe_error(exc)})

    async def _rotate(self) -> None:
        try:
            await self._write_checkpoint(final=True)
            self._sealed = True
            await self._open_new_segment()
        except Exception as exc:
            self._needs_resync = True
            log.error("audit segment rotation failed", extra={"error": describe_error(exc)})

    async def _seal(self) -> None:
        # A writer that cannot seal leaves an open segment: verify still checks it up to its
        # last checkpoint, and reports it as unsealed.
        if self._sealed:
            return
        try:
            await self._write_checkpoint(final=True)
        except Exception as exc:
            log.error("audit segment left unsealed", extra={"error": describe_error(exc)})


def options_from(settings: Any) -> WriterOptions:
    return WriterOptions(
        queue_size=settings.audit_queue_size,
        batch_max=settings.audit_batch_max,
        commit_timeout=settings.audit_commit_timeout,
        checkpoint_seconds=settings.audit_checkpoint_seconds,
        segment_seconds=settings.audit_segment_seconds,
    )
