"""The digitized-record read queries against real SQLite and PostgreSQL: filters, keyset paging,
lookup by record code or document key, batch counts."""

from __future__ import annotations

from store import records as store
from store.engine import Database
from store.records import DigitizedRecord


def _record(
    n: int, *, holder: str | None, review: int, batch: str, code: str | None
) -> DigitizedRecord:
    return DigitizedRecord(
        document_key=f"{n:064x}",
        record_code=code,
        holder_hash=holder,
        source=f"scan-{n}.png",
        page_hashes=[f"{n:064x}"],
        page_count=1,
        doc_type="decision" if n % 2 else "certificate",
        status="review" if review else "accepted",
        fields={},
        fields_accepted=11 - review,
        fields_review=review,
        full_text="",
        engine={},
        officer="officer",
        signature_alg="HS256",
        signature_key_id="master",
        signature="",
        batch_id=batch,
    )


async def _fill(database: Database) -> None:
    async with database.sessions() as session:
        await store.start_batch(session, "b1", "officer", [], {})
        await store.start_batch(session, "b2", "officer", [], {})
    rows = [
        _record(1, holder="h1", review=0, batch="b1", code="001.QD.1"),
        _record(2, holder="h2", review=2, batch="b1", code=None),
        _record(3, holder="h1", review=1, batch="b2", code="001.GCN.3"),
        _record(4, holder=None, review=0, batch="b2", code=None),
    ]
    for row in rows:
        assert await store.save_record(database.sessions, row)


async def test_search_filters_combine_and_pages_follow_storage_order(database: Database) -> None:
    await _fill(database)
    async with database.sessions() as session:
        by_holder = await store.search_records(session, holder_hash="h1")
        assert [r.source for r in by_holder] == ["scan-1.png", "scan-3.png"]
        held_in_review = await store.search_records(session, holder_hash="h1", status="review")
        assert [r.source for r in held_in_review] == ["scan-3.png"]
        queue = await store.search_records(session, in_review=True)
        assert [r.source for r in queue] == ["scan-2.png", "scan-3.png"]
        decisions = await store.search_records(session, doc_type="decision")
        assert [r.source for r in decisions] == ["scan-1.png", "scan-3.png"]
        first = await store.search_records(session, limit=3)
        rest = await store.search_records(session, limit=3, after_id=first[-1].id)
        assert [r.source for r in first + rest] == [f"scan-{n}.png" for n in (1, 2, 3, 4)]


async def test_a_record_is_found_by_its_code_or_its_document_key(database: Database) -> None:
    await _fill(database)
    async with database.sessions() as session:
        by_code = await store.record_by_code(session, "001.GCN.3")
        by_key = await store.record_by_code(session, f"{2:064x}")
        missing = await store.record_by_code(session, "001.QD.9")
    assert by_code is not None and by_code.source == "scan-3.png"
    assert by_key is not None and by_key.source == "scan-2.png"
    assert missing is None


async def test_batch_counts_records_and_those_in_review(database: Database) -> None:
    await _fill(database)
    async with database.sessions() as session:
        assert await store.batch_record_counts(session, "b1") == (2, 1)
        assert await store.batch_record_counts(session, "b2") == (2, 1)
        assert await store.batch_record_counts(session, "none") == (0, 0)
