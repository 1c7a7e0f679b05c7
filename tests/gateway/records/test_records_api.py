"""The digitized-records read API over HTTP, on records made by the real pipeline."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select, update

from gateway.keys import SETTINGS
from gateway.oauth.context import OAUTH
from ocr.records import signed_payload
from ocr.signing import CertificateRecordSigner
from schemas.audit import EventType, Outcome
from schemas.personal_id import PersonalId
from store.engine import create_database
from store.records import DigitizedRecord, opened, sealed
from tests.gateway.records.conftest import PURPOSE, REASON, Archive
from tests.support.certs import PASSWORD, officer_p12


def search(**values: Any) -> dict[str, Any]:
    return {"purpose": PURPOSE, "reason": REASON} | values


async def _edit(archive: Archive, **values: Any) -> None:
    """Change the stored records behind the gateway's back, as someone with database access."""
    db = create_database(archive.gateway.app[SETTINGS].resolved_database_url())
    async with db.sessions() as session:
        await session.execute(update(DigitizedRecord).values(**values))
        await session.commit()
    await db.dispose()


async def _code_of_clean(archive: Archive) -> str:
    status, body = await archive.post(
        "/v1/records/search", search(holder_personal_id=archive.data.clean["personal_id"])
    )
    assert status == 200, body
    return str(body["records"][0]["record_code"])


async def test_search_by_holder_id_in_the_body_finds_the_record_and_audits_it(
    archive: Archive,
) -> None:
    holder = archive.data.clean["personal_id"]
    status, body = await archive.post("/v1/records/search", search(holder_personal_id=holder))
    assert status == 200, body
    [record] = body["records"]
    assert record["record_code"].startswith(holder + ".QD.")
    assert record["doc_type"] == "decision"
    assert record["officer"] == "Lê Văn Số"
    assert record["page_count"] == 1
    assert record["fields"]["full_name"]["value"] == archive.data.clean["full_name"]
    assert set(record["fields"]["full_name"]) == {
        "value",
        "confidence",
        "status",
        "reason",
        "alternatives",
        "reviewed_by",
        "reviewed_at",
    }
    assert record["signature_valid"] is True
    assert (record["signature_alg"], record["signed_by"]) == ("HS256", "installation key")
    assert body["next_cursor"] is None
    [event] = archive.gateway.audit.of(EventType.RECORD_ACCESS)
    assert event.resident == PersonalId(holder)
    assert event.outcome is Outcome.OK
    assert (event.client_id, event.purpose, event.reason) == (
        archive.client.client_id,
        PURPOSE,
        REASON,
    )
    assert "full_name" in event.fields_returned


async def test_search_for_a_holder_without_records_is_audited_as_not_found(
    archive: Archive,
) -> None:
    nobody = "001099000123"
    status, body = await archive.post("/v1/records/search", search(holder_personal_id=nobody))
    assert (status, body["records"]) == (200, [])
    [event] = archive.gateway.audit.of(EventType.RECORD_ACCESS)
    assert (event.outcome, event.resident) == (Outcome.NOT_FOUND, PersonalId(nobody))


async def test_search_filters_by_status_and_pages_by_cursor(archive: Archive) -> None:
    status, body = await archive.post("/v1/records/search", search(status="review"))
    assert status == 200, body
    assert [r["doc_type"] for r in body["records"]] == ["certificate"]

    status, first = await archive.post("/v1/records/search", search(limit=1))
    assert status == 200 and len(first["records"]) == 1 and first["next_cursor"]
    status, second = await archive.post(
        "/v1/records/search", search(limit=1, cursor=first["next_cursor"])
    )
    assert status == 200 and len(second["records"]) == 1
    assert second["records"][0]["document_key"] != first["records"][0]["document_key"]
    _, third = await archive.post(
        "/v1/records/search", search(limit=1, cursor=second["next_cursor"])
    )
    assert (third["records"], third["next_cursor"]) == ([], None)


async def test_search_refuses_an_invalid_holder_id_without_echoing_it(archive: Archive) -> None:
    status, body = await archive.post(
        "/v1/records/search", search(holder_personal_id="123456789999")
    )
    assert status == 400
    assert "123456789999" not in str(body)
    assert archive.gateway.audit.of(EventType.RECORD_ACCESS) == []


async def test_a_holder_id_in_the_query_string_is_refused_with_a_pointer_to_search(
    archive: Archive,
) -> None:
    holder = archive.data.clean["personal_id"]
    for path in (f"/v1/records?holder={holder}", "/v1/records", f"/v1/records/x?holder={holder}"):
        status, body = await archive.get(path)
        assert status == 400, path
        assert "POST /v1/records/search" in body["detail"]
    assert archive.gateway.audit.of(EventType.RECORD_ACCESS) == []


async def test_get_by_code_returns_the_fields_and_a_valid_signature(archive: Archive) -> None:
    code = await _code_of_clean(archive)
    status, record = await archive.get(f"/v1/records/{code}")
    assert status == 200, record
    assert record["record_code"] == code
    assert record["fields"]["personal_id"]["value"] == archive.data.clean["personal_id"]
    assert record["in_review"] == []
    assert record["signature_valid"] is True
    events = archive.gateway.audit.of(EventType.RECORD_ACCESS)
    assert len(events) == 2  # the search, then the read
    assert events[-1].reason == REASON  # X-Reason arrives percent-encoded
    assert events[-1].resident == PersonalId(archive.data.clean["personal_id"])


async def test_a_record_without_a_code_is_read_by_its_document_key(archive: Archive) -> None:
    _, body = await archive.post("/v1/records/search", search(status="review"))
    key = body["records"][0]["document_key"]
    status, record = await archive.get(f"/v1/records/{key}")
    assert status == 200, record
    assert record["record_code"] is None and record["document_key"] == key


async def test_the_signature_no_longer_verifies_after_the_stored_fields_are_edited(
    archive: Archive,
) -> None:
    code = await _code_of_clean(archive)
    box = archive.gateway.app[OAUTH].box
    db = create_database(archive.gateway.app[SETTINGS].resolved_database_url())
    async with db.sessions() as session:
        stored = await session.scalar(
            select(DigitizedRecord).where(DigitizedRecord.record_code == code)
        )
        assert stored is not None
        # Fields are sealed at rest: no ID or name in the table, and an edit needs the key.
        assert archive.data.clean["personal_id"] not in json.dumps(stored.fields)
        assert archive.data.clean["full_name"] not in stored.full_text
        record = opened(stored, box)
        record.fields["full_name"] = record.fields["full_name"] | {"value": "NGƯỜI KHÁC"}
        stored.fields = sealed(record, box).fields
        await session.commit()
    await db.dispose()
    status, body = await archive.get(f"/v1/records/{code}")
    assert status == 200
    assert body["fields"]["full_name"]["value"] == "NGƯỜI KHÁC"
    assert body["signature_valid"] is False


async def test_a_sealed_value_moved_from_another_record_does_not_open(archive: Archive) -> None:
    code = await _code_of_clean(archive)
    db = create_database(archive.gateway.app[SETTINGS].resolved_database_url())
    async with db.sessions() as session:
        ours, other = list(await session.scalars(select(DigitizedRecord)))[:2]
        if ours.record_code != code:
            ours, other = other, ours
        ours.fields = other.fields
        await session.commit()
    await db.dispose()
    status, body = await archive.get(f"/v1/records/{code}")
    assert (status, body["fields"], body["signature_valid"]) == (200, {}, False)


async def test_the_signature_no_longer_verifies_after_the_stored_signature_is_edited(
    archive: Archive,
) -> None:
    code = await _code_of_clean(archive)
    await _edit(archive, signature="0" * 64)
    status, body = await archive.get(f"/v1/records/{code}")
    assert (status, body["signature_valid"]) == (200, False)


async def test_an_unknown_record_code_is_not_found(archive: Archive) -> None:
    status, body = await archive.get("/v1/records/046000000000.QD.deadbeef")
    assert status == 404
    assert body["type"].endswith("/not-found")


async def test_reading_a_record_needs_the_purpose_and_reason_headers(archive: Archive) -> None:
    code = await _code_of_clean(archive)
    status, body = await archive.get(f"/v1/records/{code}", headers={"X-Reason": REASON})
    assert status == 400
    assert "X-Purpose" in body["detail"]
    status, body = await archive.get(
        f"/v1/records/{code}", headers={"X-Purpose": "not a code", "X-Reason": "ok ok"}
    )
    assert status == 400
    assert len(archive.gateway.audit.of(EventType.RECORD_ACCESS)) == 1  # the search only


async def test_a_client_without_the_records_scope_is_forbidden(archive: Archive) -> None:
    other = await archive.gateway.client(("residents.lookup",))
    token = await archive.gateway.token(other)
    status, body = await archive.post("/v1/records/search", search(), token=token)
    assert status == 403 and body["type"].endswith("/insufficient-scope")
    status, _ = await archive.get("/v1/records/anything", token=token)
    assert status == 403
    status, _ = await archive.get(
        f"/v1/digitization/batches/{archive.data.batches[0].batch_id}", token=token
    )
    assert status == 403
    assert archive.gateway.audit.of(EventType.RECORD_ACCESS) == []


async def test_no_record_is_sent_when_the_audit_log_is_unavailable(archive: Archive) -> None:
    archive.gateway.audit.unavailable = True
    status, body = await archive.post("/v1/records/search", search())
    assert status == 503
    assert body["type"].endswith("/audit-unavailable")
    assert "records" not in body


async def test_batch_status_shows_officer_times_and_counts(archive: Archive) -> None:
    first, second = archive.data.batches
    status, body = await archive.get(f"/v1/digitization/batches/{second.batch_id}", headers={})
    assert status == 200, body
    assert body["state"] == "finished" and body["finished_at"] >= body["started_at"]
    assert body["officer"] == "Lê Văn Số"
    assert (body["records"], body["records_in_review"]) == (1, 1)
    assert body["summary"]["fields_review"] == second.fields_review > 0
    status, body = await archive.get(f"/v1/digitization/batches/{first.batch_id}", headers={})
    assert (body["records"], body["records_in_review"]) == (1, 0)
    status, _ = await archive.get("/v1/digitization/batches/no-such-batch", headers={})
    assert status == 404


async def test_review_queue_lists_records_with_a_field_in_review_and_the_reasons(
    archive: Archive,
) -> None:
    status, body = await archive.post("/v1/records/review-queue", search())
    assert status == 200, body
    [record] = body["records"]
    assert "doc_type" in record["in_review"]
    assert record["fields"]["doc_type"]["reason"] == (
        "reads as certificate, the batch declares extract"
    )
    assert all(record["fields"][name]["status"] == "review" for name in record["in_review"])
    [event] = archive.gateway.audit.of(EventType.RECORD_ACCESS)
    assert event.resident == PersonalId(archive.data.declared["personal_id"])


async def test_openapi_lists_the_records_operations(archive: Archive) -> None:
    async with archive.gateway.http.get(archive.gateway.url + "/openapi.json") as resp:
        doc = await resp.json()
    paths = doc["paths"]
    search_op = paths["/v1/records/search"]["post"]
    assert search_op["security"] == [{"oauth2": ["records.read"]}]
    schemas = doc["components"]["schemas"]
    assert "holder_personal_id" in schemas["RecordSearchBody"]["properties"]
    assert "signature_valid" in schemas["RecordView"]["properties"]
    read = paths["/v1/records/{record_code}"]["get"]
    assert {p["name"] for p in read["parameters"] if p["required"]} == {
        "record_code",
        "X-Purpose",
        "X-Reason",
    }
    assert "get" in paths["/v1/digitization/batches/{batch_id}"]
    assert "post" in paths["/v1/records/review-queue"]


async def test_the_search_path_is_not_taken_for_a_record_code(archive: Archive) -> None:
    async with archive.gateway.http.get(
        archive.gateway.url + "/v1/records/search", headers=archive.headers()
    ) as resp:
        assert resp.status == 405
        assert resp.headers["Allow"] == "POST"


async def test_reading_records_needs_a_grant_for_the_purpose(archive: Archive) -> None:
    other = await archive.gateway.client(("records.read",))
    token = await archive.gateway.token(other)
    async with archive.gateway.http.post(
        archive.gateway.url + "/v1/records/review-queue",
        json={"purpose": "ARCHIVE_LOOKUP", "reason": "Không có quyền"},
        headers={"Authorization": f"Bearer {token}"},
    ) as resp:
        body = await resp.json(content_type=None)
    assert resp.status == 403 and body["reason"] == "no_grant"
    refused = archive.gateway.audit.of(EventType.DATA_REFUSED)
    assert refused and refused[-1].client_id == other.client_id


async def test_a_record_signed_by_the_officer_verifies_against_the_certificate_it_carries(
    archive: Archive,
) -> None:
    code = await _code_of_clean(archive)
    officer = CertificateRecordSigner(officer_p12(), PASSWORD)
    db = create_database(archive.gateway.app[SETTINGS].resolved_database_url())
    async with db.sessions() as session:
        record = await session.scalar(
            select(DigitizedRecord).where(DigitizedRecord.record_code == code)
        )
        assert record is not None
        record.signature_alg, record.signature_key_id = officer.algorithm, officer.key_id
        record.signer_certificate = officer.certificate_pem
        plain = opened(record, archive.gateway.app[OAUTH].box)
        record.signature = officer.sign(signed_payload(plain))
        await session.commit()
    await db.dispose()
    status, body = await archive.get(f"/v1/records/{code}")
    assert (status, body["signature_valid"], body["signature_alg"]) == (200, True, "ES256")
    assert "CN=Trần Thị Số Hóa" in body["signed_by"]
    # A forger's certificate put in its place does not carry the officer's fingerprint.
    forger = CertificateRecordSigner(officer_p12("Trần Thị Số Hóa"), PASSWORD)
    await _edit(archive, signer_certificate=forger.certificate_pem)
    _, body = await archive.get(f"/v1/records/{code}")
    assert body["signature_valid"] is False
