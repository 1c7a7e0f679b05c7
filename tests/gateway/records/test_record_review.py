"""`POST /v1/records/review`: staff confirm or correct fields; the signed reading stays as read."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from gateway.keys import SETTINGS
from schemas.audit import EventType, Outcome
from schemas.personal_id import PersonalId
from store.engine import create_database
from store.records import RecordReview
from tests.gateway.records.conftest import PURPOSE, REASON, Archive

LEGAL_BASIS = "Thông tư 01/2023/TT-VPCP, Điều 8 (số hóa kết quả giải quyết TTHC)"


async def _staff(archive: Archive) -> str:
    staff = await archive.gateway.client(("records.read", "digitization.write"))
    await archive.gateway.grant(
        staff.client_id, fields=("full_name",), purposes=(PURPOSE,), legal_basis=LEGAL_BASIS
    )
    return await archive.gateway.token(staff)


async def _queued(archive: Archive) -> dict[str, Any]:
    status, body = await archive.post("/v1/records/review-queue", _body())
    assert status == 200, body
    [record] = body["records"]
    return dict(record)


def _body(**values: Any) -> dict[str, Any]:
    return {"purpose": PURPOSE, "reason": REASON} | values


async def _stored_reviews(archive: Archive) -> list[RecordReview]:
    db = create_database(archive.gateway.app[SETTINGS].resolved_database_url())
    async with db.sessions() as session:
        rows = list(await session.scalars(select(RecordReview)))
    await db.dispose()
    return rows


async def test_staff_decide_every_field_in_review_and_the_queue_empties(archive: Archive) -> None:
    token = await _staff(archive)
    record = await _queued(archive)
    key = record["document_key"]
    status, answer = await archive.post(
        "/v1/records/review",
        _body(document_key=key, field="doc_type", decision="correct", value="certificate"),
        token,
    )
    assert status == 201, answer
    decided = answer["fields"]["doc_type"]
    assert (decided["value"], decided["status"], decided["confidence"]) == (
        "certificate",
        "accepted",
        1.0,
    )
    assert decided["reason"].startswith("corrected by a person")
    assert decided["reviewed_by"].startswith(archive.gateway.audit.events[-1].client_id or "?")
    assert answer["signature_valid"] is True  # the signed reading is untouched
    assert (answer["status"], answer["in_review"]) == ("accepted", [])
    _, queue = await archive.post("/v1/records/review-queue", _body())
    assert queue["records"] == []
    # A later decision on the same field holds: confirm what is now shown.
    status, answer = await archive.post(
        "/v1/records/review", _body(document_key=key, field="doc_type", decision="confirm"), token
    )
    assert status == 201 and answer["fields"]["doc_type"]["reason"].startswith("confirmed")
    _, read = await archive.get(f"/v1/records/{key}")
    assert read["fields"]["doc_type"]["value"] == "certificate"
    reviews = [e for e in archive.gateway.audit.events if e.type is EventType.RECORD_REVIEW]
    assert reviews[0].outcome is Outcome.OK and reviews[0].fields_returned == ("doc_type",)
    assert reviews[0].resident == PersonalId(archive.data.declared["personal_id"])


async def test_a_correction_that_breaks_the_rules_is_refused_and_nothing_is_stored(
    archive: Archive,
) -> None:
    token = await _staff(archive)
    key = (await _queued(archive))["document_key"]
    cases = [
        ("issue_date", "2099-01-01", "not plausible"),
        ("personal_id", "12345", "not a valid personal_id"),
        ("full_name", "NGUYỄN VĂN ÂNX", "unusual name syllable"),
        ("doc_number", "số 12 ngày 3", "form"),
    ]
    for field, value, why in cases:
        status, body = await archive.post(
            "/v1/records/review",
            _body(document_key=key, field=field, decision="correct", value=value),
            token,
        )
        assert status == 422, body
        assert why in body["detail"] and value not in json.dumps(body)
    dob = archive.data.declared["date_of_birth"]
    other_year = f"{int(dob[:4]) + 1}{dob[4:]}"
    status, body = await archive.post(
        "/v1/records/review",
        _body(document_key=key, field="date_of_birth", decision="correct", value=other_year),
        token,
    )
    assert status == 422 and "personal ID would not match" in body["detail"]
    assert await _stored_reviews(archive) == []
    assert not [e for e in archive.gateway.audit.events if e.type is EventType.RECORD_REVIEW]


async def test_bad_requests_unknown_records_and_readers_without_the_scope(
    archive: Archive,
) -> None:
    token = await _staff(archive)
    key = (await _queued(archive))["document_key"]
    missing = _body(document_key="0" * 64, field="sex", decision="confirm")
    assert (await archive.post("/v1/records/review", missing, token))[0] == 404
    for bad in (
        _body(document_key=key, field="religion", decision="confirm"),
        _body(document_key=key[:10], field="sex", decision="confirm"),
        _body(document_key=key, field="sex", decision="approve"),
        {"document_key": key, "field": "sex", "decision": "confirm"},  # no purpose or reason
    ):
        assert (await archive.post("/v1/records/review", bad, token))[0] == 400, bad
    no_value = _body(document_key=key, field="sex", decision="correct")
    assert (await archive.post("/v1/records/review", no_value, token))[0] == 422
    # The archive's own client may read records but not decide them.
    confirm = _body(document_key=key, field="sex", decision="confirm")
    assert (await archive.post("/v1/records/review", confirm))[0] == 403
    assert await _stored_reviews(archive) == []


async def test_no_decision_is_stored_when_the_audit_log_is_unavailable(archive: Archive) -> None:
    token = await _staff(archive)
    key = (await _queued(archive))["document_key"]
    archive.gateway.audit.unavailable = True
    body = _body(document_key=key, field="doc_type", decision="correct", value="certificate")
    status, answer = await archive.post("/v1/records/review", body, token)
    assert status == 503 and answer["type"].endswith("/audit-unavailable")
    assert await _stored_reviews(archive) == []


async def test_the_decided_value_is_sealed_at_rest(archive: Archive) -> None:
    token = await _staff(archive)
    key = (await _queued(archive))["document_key"]
    name = archive.data.declared["full_name"]
    body = _body(document_key=key, field="full_name", decision="correct", value=name)
    status, answer = await archive.post("/v1/records/review", body, token)
    assert status == 201, answer
    [stored] = await _stored_reviews(archive)
    assert name not in stored.value and stored.value.startswith("sealed:")
    assert answer["fields"]["full_name"]["value"] == name


async def test_the_review_event_carries_the_requests_correlation_and_hash(
    archive: Archive,
) -> None:
    token = await _staff(archive)
    key = (await _queued(archive))["document_key"]
    body = _body(document_key=key, field="doc_type", decision="correct", value="certificate")
    assert (await archive.post("/v1/records/review", body, token))[0] == 201
    [event] = archive.gateway.audit.of(EventType.RECORD_REVIEW)
    assert event.correlation_id and event.request_hash
