"""Digitization tables: batches, page results (progress and OCR cache), digitized records.

Idempotent by construction: a page is keyed by the SHA-256 of its content and a record by its
document key (the hash of its page hashes), so re-running a batch never stores anything twice.
Page words and record fields and text are sealed at rest (`store.sealing`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterable
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, func, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from store.base import Base, UtcDateTime, utcnow
from store.sealing import SealBroken, open_json, open_text, seal_json, seal_text
from store.secretbox import SecretBox


class DigitizationBatch(Base):
    __tablename__ = "digitization_batches"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    officer: Mapped[str] = mapped_column(String(200))
    paths: Mapped[list[str]] = mapped_column(JSON)
    options: Mapped[dict[str, Any]] = mapped_column(JSON)
    started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class DigitizedPage(Base):
    """One recognised page; its presence is the page-level progress a killed batch resumes from."""

    __tablename__ = "digitized_pages"

    page_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(Text)
    page_index: Mapped[int] = mapped_column(Integer)
    batch_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("digitization_batches.id"), nullable=True
    )
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class DigitizedRecord(Base):
    """A digitized procedure result (Circular 01/2023/TT-VPCP), signed by the digitizing officer."""

    __tablename__ = "digitized_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_key: Mapped[str] = mapped_column(String(64), unique=True)
    record_code: Mapped[str | None] = mapped_column(String(120), nullable=True, index=True)
    holder_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    source: Mapped[str] = mapped_column(Text)
    page_hashes: Mapped[list[str]] = mapped_column(JSON)
    page_count: Mapped[int] = mapped_column(Integer)
    doc_type: Mapped[str | None] = mapped_column(String(40), nullable=True)
    status: Mapped[str] = mapped_column(String(20))  # accepted | review
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    fields_accepted: Mapped[int] = mapped_column(Integer)
    fields_review: Mapped[int] = mapped_column(Integer)
    full_text: Mapped[str] = mapped_column(Text)
    engine: Mapped[dict[str, Any]] = mapped_column(JSON)
    officer: Mapped[str] = mapped_column(String(200))
    signature_alg: Mapped[str] = mapped_column(String(20))
    signature_key_id: Mapped[str] = mapped_column(String(100))
    signature: Mapped[str] = mapped_column(Text)
    # PEM certificate of the officer's personal key when the record is signed with one.
    signer_certificate: Mapped[str | None] = mapped_column(Text, nullable=True, default=None)
    batch_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("digitization_batches.id"), nullable=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


async def start_batch(
    session: AsyncSession, batch_id: str, officer: str, paths: list[str], options: dict[str, Any]
) -> DigitizationBatch:
    batch = DigitizationBatch(
        id=batch_id, officer=officer, paths=paths, options=options, started_at=utcnow()
    )
    session.add(batch)
    await session.commit()
    return batch


async def last_unfinished_batch(session: AsyncSession) -> DigitizationBatch | None:
    query = (
        select(DigitizationBatch)
        .where(DigitizationBatch.finished_at.is_(None))
        .order_by(DigitizationBatch.started_at.desc())
        .limit(1)
    )
    return await session.scalar(query)


async def finish_batch(session: AsyncSession, batch_id: str, summary: dict[str, Any]) -> None:
    batch = await session.get(DigitizationBatch, batch_id)
    if batch is not None:
        batch.finished_at = utcnow()
        batch.summary = summary
        await session.commit()


async def stored_pages(
    session: AsyncSession, hashes: Iterable[str], box: SecretBox | None = None
) -> dict[str, dict[str, Any]]:
    """The stored results of those pages already recognised, by page hash (opened with `box`;
    a page whose sealed result does not open is left out, to be recognised again)."""
    wanted = list(hashes)
    rows = await session.execute(
        select(DigitizedPage.page_hash, DigitizedPage.result).where(
            DigitizedPage.page_hash.in_(wanted)
        )
    )
    found = {}
    for page_hash, result in rows.all():
        try:
            found[page_hash] = open_json(box, result, _page_context(page_hash))
        except SealBroken:
            continue
    return found


def _page_context(page_hash: str) -> str:
    return f"digitized_page:{page_hash}"


def _record_context(document_key: str, part: str) -> str:
    return f"digitized_record:{part}:{document_key}"


def _copy(record: DigitizedRecord, **changes: Any) -> DigitizedRecord:
    values = {a.key: getattr(record, a.key) for a in sa_inspect(DigitizedRecord).column_attrs}
    return DigitizedRecord(**(values | changes))


def sealed(record: DigitizedRecord, box: SecretBox | None) -> DigitizedRecord:
    """A copy of `record` with its fields and full text sealed for storage (`store.sealing`)."""
    if box is None:
        return _copy(record)
    key = record.document_key
    return _copy(
        record,
        fields=seal_json(box, record.fields, _record_context(key, "fields")),
        full_text=seal_text(box, record.full_text, _record_context(key, "text")),
    )


def opened(record: DigitizedRecord, box: SecretBox | None) -> DigitizedRecord:
    """A copy of a stored record with its fields and full text in clear. A seal that does not
    open gives empty fields and text: the record's signature then fails to verify."""
    key = record.document_key
    try:
        fields = open_json(box, record.fields, _record_context(key, "fields"))
        text = open_text(box, record.full_text, _record_context(key, "text"))
    except SealBroken:
        fields, text = {}, ""
    return _copy(record, fields=fields, full_text=text)


async def save_page(
    sessions: async_sessionmaker[AsyncSession],
    page_hash: str,
    source: str,
    page_index: int,
    batch_id: str | None,
    result: dict[str, Any],
    box: SecretBox | None = None,
) -> bool:
    """Store a page result once (sealed with `box`); False when that page was stored already
    (by anyone)."""
    async with sessions() as session:
        if await session.get(DigitizedPage, page_hash) is not None:
            return False
        session.add(
            DigitizedPage(
                page_hash=page_hash,
                source=source,
                page_index=page_index,
                batch_id=batch_id,
                result=seal_json(box, result, _page_context(page_hash)) if box else result,
                created_at=utcnow(),
            )
        )
        try:
            await session.commit()
        except IntegrityError:
            return False
        return True


async def find_record(session: AsyncSession, document_key: str) -> DigitizedRecord | None:
    return await session.scalar(
        select(DigitizedRecord).where(DigitizedRecord.document_key == document_key)
    )


async def save_record(sessions: async_sessionmaker[AsyncSession], record: DigitizedRecord) -> bool:
    """Store a record once; False when a record of that document exists already."""
    async with sessions() as session:
        if await find_record(session, record.document_key) is not None:
            return False
        session.add(record)
        try:
            await session.commit()
        except IntegrityError:
            return False
        return True


async def records_of_batch(session: AsyncSession, batch_id: str) -> AsyncIterator[DigitizedRecord]:
    result = await session.stream_scalars(
        select(DigitizedRecord)
        .where(DigitizedRecord.batch_id == batch_id)
        .order_by(DigitizedRecord.id)
    )
    async for record in result:
        yield record


async def search_records(
    session: AsyncSession,
    *,
    holder_hash: str | None = None,
    doc_type: str | None = None,
    status: str | None = None,
    in_review: bool = False,
    after_id: int | None = None,
    limit: int = 20,
) -> list[DigitizedRecord]:
    """Records matching every filter given, in storage order after `after_id` (keyset paging)."""
    query = select(DigitizedRecord).order_by(DigitizedRecord.id).limit(limit)
    if holder_hash is not None:
        query = query.where(DigitizedRecord.holder_hash == holder_hash)
    if doc_type is not None:
        query = query.where(DigitizedRecord.doc_type == doc_type)
    if status is not None:
        query = query.where(DigitizedRecord.status == status)
    if in_review:
        query = query.where(DigitizedRecord.fields_review > 0)
    if after_id is not None:
        query = query.where(DigitizedRecord.id > after_id)
    return list(await session.scalars(query))


async def record_by_code(session: AsyncSession, code: str) -> DigitizedRecord | None:
    """The record with this record code, or else with this document key."""
    found = await session.scalar(
        select(DigitizedRecord)
        .where(DigitizedRecord.record_code == code)
        .order_by(DigitizedRecord.id)
        .limit(1)
    )
    return found if found is not None else await find_record(session, code)


async def batch_record_counts(session: AsyncSession, batch_id: str) -> tuple[int, int]:
    """(records, records with a field in review) stored under the batch."""
    row = (
        await session.execute(
            select(
                func.count(DigitizedRecord.id),
                func.count(DigitizedRecord.id).filter(DigitizedRecord.fields_review > 0),
            ).where(DigitizedRecord.batch_id == batch_id)
        )
    ).one()
    return int(row[0]), int(row[1])


class RecordReview(Base):
    """A person's decision on one field of a record; the latest per field holds. The value is
    sealed like the record's fields. The record itself, as signed, is never changed."""

    __tablename__ = "record_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_key: Mapped[str] = mapped_column(
        String(64), ForeignKey("digitized_records.document_key"), index=True
    )
    field: Mapped[str] = mapped_column(String(40))
    decision: Mapped[str] = mapped_column(String(10))  # confirm | correct
    value: Mapped[str] = mapped_column(Text)
    client_id: Mapped[str] = mapped_column(String(100))
    actor: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


def _review_context(document_key: str, field: str) -> str:
    return f"record_review:{field}:{document_key}"


async def add_review(
    session: AsyncSession,
    record: DigitizedRecord,
    field: str,
    decision: str,
    value: str,
    *,
    client_id: str,
    actor: str | None,
    box: SecretBox | None,
    fields_in_review: int,
) -> RecordReview:
    """Store a decision and the record's fields-in-review count it leaves (not committed)."""
    stored = seal_text(box, value, _review_context(record.document_key, field)) if box else value
    review = RecordReview(
        document_key=record.document_key,
        field=field,
        decision=decision,
        value=stored,
        client_id=client_id,
        actor=actor,
        created_at=utcnow(),
    )
    session.add(review)
    row = await session.get(DigitizedRecord, record.id)
    if row is not None:
        row.fields_review = fields_in_review
        row.status = "review" if fields_in_review else "accepted"
    return review


async def latest_reviews(
    session: AsyncSession, document_keys: Iterable[str], box: SecretBox | None
) -> dict[str, dict[str, RecordReview]]:
    """By document key, the latest decision per field, values opened."""
    keys = list(document_keys)
    if not keys:
        return {}
    rows = await session.scalars(
        select(RecordReview).where(RecordReview.document_key.in_(keys)).order_by(RecordReview.id)
    )
    latest: dict[str, dict[str, RecordReview]] = {}
    for review in rows:
        try:
            value = open_text(box, review.value, _review_context(review.document_key, review.field))
        except SealBroken:
            continue
        session.expunge(review)
        review.value = value
        latest.setdefault(review.document_key, {})[review.field] = review
    return latest
