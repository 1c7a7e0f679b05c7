"""The batch runner against real SQLite and PostgreSQL: records, idempotence, export, signatures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sqlalchemy import func, select

from ocr import records
from ocr.runner import BatchOptions, review_kind, run_batch
from ocr.signing import HmacRecordSigner
from store import records as store_records
from store.engine import Database
from store.records import DigitizedPage, DigitizedRecord
from store.secretbox import SecretBox
from tests.ocr.conftest import truth

BOX = SecretBox(b"k" * 32)


async def _count(db: Database, table: type) -> int:
    async with db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)


async def test_a_batch_stores_signed_records_once_and_exports_them(
    database: Database, scans: dict, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for path in (scans[(11, "clean")], scans[(12, "combined")]):
        shutil.copy(path, folder)
        shutil.copy(path.with_suffix(".json"), folder)
    (folder / "broken.png").write_text("not an image")
    export = tmp_path / "out.jsonl"
    options = BatchOptions(workers=2, export=export, officer="Lê Văn Số")
    signer = HmacRecordSigner(BOX)

    first = await run_batch(database, [folder], options, signer=signer, box=BOX)
    assert (first.documents, first.recorded, first.pages) == (2, 2, 2)
    assert first.failures == [(str(folder / "broken.png"), "not a PNG, JPEG, TIFF or PDF file")]
    assert first.fields_accepted + first.fields_review == 22

    lines = [json.loads(line) for line in export.read_text().splitlines()]
    assert len(lines) == 2
    for line in lines:
        assert set(line) == {"source", "pages", "doc_type", "text", "fields"}
        assert set(line["fields"]["personal_id"]) == {"value", "confidence", "status"}
        expected = truth(Path(line["source"]))["fields"]
        assert line["doc_type"] == expected["doc_type"]
        # Structured fields are checked by rules: accepted means right. Free-text fields can keep
        # a wrong tone mark at high confidence: bench/ocr.py measures that rate.
        structured = ("doc_type", "issue_date", "date_of_birth", "sex", "personal_id")
        accepted = {
            n: f["value"]
            for n, f in line["fields"].items()
            if f["status"] == "accepted" and n in structured
        }
        assert accepted == {n: expected[n] for n in accepted}
        assert len(accepted) >= 4

    again = await run_batch(database, [folder], options, signer=signer, box=BOX)
    assert (again.recorded, again.already_recorded, again.pages_recognised) == (0, 2, 0)
    assert await _count(database, DigitizedRecord) == 2
    assert await _count(database, DigitizedPage) == 2
    assert len(export.read_text().splitlines()) == 2

    async with database.sessions() as session:
        stored = list(await session.scalars(select(DigitizedRecord)))
        pages = [p.result for p in await session.scalars(select(DigitizedPage))]
    holders = {truth(p)["fields"]["personal_id"] for p in folder.glob("*.json")}
    at_rest = json.dumps([[r.fields, r.full_text] for r in stored] + pages, ensure_ascii=False)
    assert not any(holder in at_rest for holder in holders)  # sealed: no ID in the tables
    for record in (store_records.opened(r, BOX) for r in stored):
        assert record.fields and record.full_text
        assert record.officer == "Lê Văn Số"
        assert signer.verify(records.signed_payload(record), record.signature)
        record.fields["full_name"]["value"] = "SOMEONE ELSE"
        assert not signer.verify(records.signed_payload(record), record.signature)


async def test_record_code_is_built_from_holder_id_and_result_type(
    database: Database, scans: dict, tmp_path: Path
) -> None:
    layout = records.CodeLayout(
        "{result_type}-{holder_id}",
        {"decision": "1.000123", "certificate": "2.000456", "confirmation": "3", "extract": "4"},
    )
    options = BatchOptions(workers=1, layout=layout)
    await run_batch(
        database, [scans[(11, "clean")]], options, signer=HmacRecordSigner(BOX), box=BOX
    )
    async with database.sessions() as session:
        record = await session.scalar(select(DigitizedRecord))
    assert record is not None
    record = store_records.opened(record, BOX)
    expected = truth(scans[(11, "clean")])["fields"]
    code = f"{layout.result_types[expected['doc_type']]}-{expected['personal_id']}"
    assert record.record_code == (
        code if record.fields["personal_id"]["status"] == "accepted" else None
    )
    assert record.holder_hash == BOX.keyed_hash(expected["personal_id"], domain="personal_id")


def test_every_review_reason_has_a_kind_for_the_batch_summary() -> None:
    assert review_kind("confidence 0.62 below 0.80") == "confidence below the bar"
    assert review_kind("ambiguous reading: 2 other value(s) also read") == "ambiguous reading"
    assert review_kind("not a known body: ninh, kiểu") == "unknown issuer"
    assert review_kind("date of birth is not plausible") == "implausible date"
    assert review_kind("personal ID does not match date of birth/sex").startswith("ID, birth")
    assert review_kind("reads as certificate, the batch declares extract").startswith("document")
