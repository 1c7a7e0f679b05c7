"""The batch runner: owns concurrency (one worker process per core), retries, progress, resume.

Files are streamed: documents are opened as the walk finds them, at most a few are in flight, and
every recognised page is committed at once, so a batch killed at any moment resumes with no page
lost and none recorded twice, and memory stays flat however long the batch is.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import multiprocessing
import os
import uuid
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import IO, Any, Protocol

from ocr import extract, ingest, lexicon, pipeline, recognize, records, validate
from ocr.context import PageResult
from ocr.signing import RecordSigner
from store import records as store
from store.engine import Database
from store.secretbox import SecretBox

ATTEMPTS = 2  # a page that fails for another reason than a bad file is tried once more


class Progress(Protocol):
    def grow(self, pages: int) -> None: ...

    def advance(self, pages: int) -> None: ...


class _NoProgress:
    def grow(self, pages: int) -> None:
        pass

    def advance(self, pages: int) -> None:
        pass


@dataclasses.dataclass
class BatchOptions:
    workers: int = dataclasses.field(default_factory=lambda: os.cpu_count() or 1)
    doc_type: str | None = None
    export: Path | None = None
    resume: bool = False
    verify: validate.Verifier | None = None
    officer: str = "unknown"
    confidence_bar: float = validate.DEFAULT_CONFIDENCE_BAR
    layout: records.CodeLayout = dataclasses.field(default_factory=records.CodeLayout)
    known_issuers: tuple[str, ...] = ()
    known_places: tuple[str, ...] = ()


@dataclasses.dataclass
class BatchSummary:
    batch_id: str
    documents: int = 0
    recorded: int = 0  # new records stored by this run
    already_recorded: int = 0
    pages: int = 0
    pages_recognised: int = 0  # pages sent to Tesseract by this run (others came from the store)
    fields_accepted: int = 0
    fields_review: int = 0
    # Why fields went to review, by kind ("ambiguous reading", "confidence", ...): what to fix.
    review_reasons: dict[str, int] = dataclasses.field(default_factory=dict)
    failures: list[tuple[str, str]] = dataclasses.field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


_REVIEW_KINDS = (
    ("confidence", "confidence below the bar"),
    ("ambiguous reading", "ambiguous reading"),
    ("not found", "not found"),
    ("unusual name", "unusual name syllable"),
    ("not a known", "unknown issuer"),
    ("unknown administrative", "unknown place"),
    ("population registry", "registry does not confirm"),
    ("does not match date of birth", "ID, birth date and sex disagree"),
    ("not plausible", "implausible date"),
    ("is after the issue date", "implausible date"),
    ("document number", "document number form"),
    ("not a valid", "invalid value"),
    ("the batch declares", "document type differs from the batch's"),
)


def review_kind(reason: str) -> str:
    """The kind of a review reason, without the values it names: "confidence 0.62 below 0.80"
    → "confidence below the bar"."""
    return next((kind for needle, kind in _REVIEW_KINDS if needle in reason), "other check")


class BatchError(RuntimeError):
    """The batch cannot start (e.g. --resume with nothing to resume)."""


def _init_worker() -> None:
    recognize.limit_threads()


def _open(path: Path) -> ingest.SourceFile | str:
    try:
        return ingest.open_source(path)
    except ingest.UnreadableFile as exc:
        return str(exc)


def _recognise(ref: ingest.PageRef) -> PageResult | str:
    try:
        return pipeline.process_page(ref)
    except ingest.UnreadableFile as exc:
        return str(exc)


class _Batch:
    def __init__(
        self,
        db: Database,
        options: BatchOptions,
        summary: BatchSummary,
        signer: RecordSigner,
        box: SecretBox | None,
        progress: Progress,
        export: IO[str] | None,
    ) -> None:
        self.db, self.options, self.summary = db, options, summary
        self.signer, self.box, self.progress, self.export = signer, box, progress, export
        self.engine = recognize.engine_versions()
        self.lexicons = lexicon.lexicons((*options.known_issuers, *options.known_places))
        self.loop = asyncio.get_running_loop()
        self.pool: ProcessPoolExecutor | None = None
        self.page_slots = asyncio.Semaphore(options.workers * 2)

    async def _call(self, fn: Any, arg: Any) -> Any:
        assert self.pool is not None
        return await self.loop.run_in_executor(self.pool, fn, arg)

    async def run(self, paths: Sequence[Path]) -> None:
        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(
            self.options.workers, mp_context=context, initializer=_init_worker
        ) as self.pool:
            in_flight: set[asyncio.Task[None]] = set()
            slots = asyncio.Semaphore(self.options.workers * 3)
            for path in ingest.find_files(paths):
                await slots.acquire()
                task = asyncio.create_task(self.document(path))
                in_flight.add(task)
                task.add_done_callback(in_flight.discard)
                task.add_done_callback(lambda _t: slots.release())
            if in_flight:
                await asyncio.gather(*in_flight)

    def _fail(self, source: Path, reason: str) -> None:
        self.summary.failures.append((str(source), reason))

    async def document(self, path: Path) -> None:
        opened = await self._call(_open, path)
        if isinstance(opened, str):
            self._fail(path, opened)
            self.progress.advance(1)
            return
        self.progress.grow(len(opened.pages) - 1)
        hashes = [p.page_hash for p in opened.pages]
        async with self.db.sessions() as session:
            existing = await store.find_record(session, records.document_key(hashes))
            stored = await store.stored_pages(session, hashes, self.box)
        if existing is not None:
            self.summary.already_recorded += 1
            self._count(store.opened(existing, self.box), len(hashes))
            self.progress.advance(len(hashes))
            return
        pages = await asyncio.gather(
            *(self.page(ref, stored.get(ref.page_hash)) for ref in opened.pages)
        )
        problems = [p for p in pages if isinstance(p, str)]
        if problems:
            self._fail(path, problems[0])
            return
        await self.record(path, [p for p in pages if isinstance(p, PageResult)])

    async def page(self, ref: ingest.PageRef, stored: dict[str, Any] | None) -> PageResult | str:
        if stored is not None:
            self.progress.advance(1)
            return PageResult.from_json(str(ref.source), ref.index, ref.page_hash, stored)
        async with self.page_slots:
            outcome: PageResult | str = "not processed"
            for attempt in range(ATTEMPTS):
                try:
                    outcome = await self._call(_recognise, ref)
                    break
                except Exception as exc:  # Tesseract crash or timeout: retry, then report
                    outcome = f"page {ref.index + 1}: {type(exc).__name__}: {exc}"[:300]
                    if attempt == ATTEMPTS - 1:
                        break
        self.progress.advance(1)
        if isinstance(outcome, str):
            return outcome
        self.summary.pages_recognised += 1
        await store.save_page(
            self.db.sessions,
            ref.page_hash,
            str(ref.source),
            ref.index,
            self.summary.batch_id,
            outcome.to_json(),
            self.box,
        )
        return outcome

    async def record(self, path: Path, pages: list[PageResult]) -> None:
        found = extract.extract(pages, lexicons=self.lexicons)
        fields = await validate.validate(
            found,
            confidence_bar=self.options.confidence_bar,
            verify=self.options.verify,
            expected_doc_type=self.options.doc_type,
            known_issuers=self.options.known_issuers,
            known_places=self.options.known_places,
            lexicons=self.lexicons,
        )
        record = records.build_record(
            source=str(path),
            pages=pages,
            fields=fields,
            engine=self.engine,
            officer=self.options.officer,
            signer=self.signer,
            box=self.box,
            layout=self.options.layout,
            batch_id=self.summary.batch_id,
        )
        if await store.save_record(self.db.sessions, store.sealed(record, self.box)):
            self.summary.recorded += 1
            self._count(record, len(pages))
            return
        async with self.db.sessions() as session:
            existing = await store.find_record(session, record.document_key)
        self.summary.already_recorded += 1
        self._count(store.opened(existing, self.box) if existing else record, len(pages))

    def _count(self, record: store.DigitizedRecord, pages: int) -> None:
        self.summary.documents += 1
        self.summary.pages += pages
        self.summary.fields_accepted += record.fields_accepted
        self.summary.fields_review += record.fields_review
        reasons = self.summary.review_reasons
        for result in record.fields.values():
            if result.get("status") == "review":
                kind = review_kind(str(result.get("reason", "")))
                reasons[kind] = reasons.get(kind, 0) + 1
        if self.export is not None:
            self.export.write(json.dumps(records.export_line(record), ensure_ascii=False) + "\n")


async def run_batch(
    db: Database,
    paths: Sequence[Path],
    options: BatchOptions,
    *,
    signer: RecordSigner,
    box: SecretBox | None = None,
    progress: Progress | None = None,
) -> BatchSummary:
    """Digitize every scan under `paths`; `--resume` continues the last unfinished batch."""
    async with db.sessions() as session:
        if options.resume:
            batch = await store.last_unfinished_batch(session)
            if batch is None:
                raise BatchError("there is no unfinished batch to resume")
            batch_id = batch.id
            paths = list(paths) or [Path(p) for p in batch.paths]
        else:
            batch_id = str(uuid.uuid4())
            await store.start_batch(
                session,
                batch_id,
                options.officer,
                [str(p) for p in paths],
                {"doc_type": options.doc_type, "crosscheck": options.verify is not None},
            )
    summary = BatchSummary(batch_id)
    progress = progress or _NoProgress()
    progress.grow(sum(1 for _ in ingest.find_files(paths)))  # a count: the walk is streamed
    export = None
    partial = options.export.with_name(options.export.name + ".part") if options.export else None
    if partial is not None:
        export = partial.open("w", encoding="utf-8")
    try:
        await _Batch(db, options, summary, signer, box, progress, export).run(paths)
    finally:
        if export is not None:
            export.close()
    if partial is not None and options.export is not None:
        partial.replace(options.export)
    async with db.sessions() as session:
        await store.finish_batch(session, batch_id, summary.to_json())
    return summary
