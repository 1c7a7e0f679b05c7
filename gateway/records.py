"""The read API of digitized records: search, one record by code, batch status, the review queue.

Records hold personal data, so every answer that carries one is audited first (DESIGN.md: no
access without its audit record). A holder's ID travels only in a request body; a GET that puts
anything in the query string is refused, since query strings end up in proxies' and servers' logs.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import unquote

from aiohttp import web
from cryptography import x509
from pydantic import ValidationError

from gateway.access import AccessContext, access_context
from gateway.auditing import record_or_refuse
from gateway.bodies import read_model, validation_errors
from gateway.keys import DATABASE
from gateway.logs import correlation_id
from gateway.oauth.context import OAUTH
from gateway.oauth.protect import require
from gateway.openapi import API_DOCUMENT, Operation
from gateway.problems import Problem, bad_request, not_found
from gateway.residents import RESIDENTS
from ocr.records import signed_payload
from ocr.signing import HmacRecordSigner, verify_with_certificate
from schemas.api import Purposeful
from schemas.audit import AuditEvent, EventType, Outcome
from schemas.grants import Scope
from schemas.personal_id import InvalidPersonalId, PersonalId
from schemas.records_api import (
    BatchView,
    FieldView,
    RecordPage,
    RecordSearchBody,
    RecordView,
    ReviewQueueBody,
)
from store import records as store
from store.records import DigitizedRecord, RecordReview

SCOPE = Scope.RECORDS_READ.value
ERRORS = (400, 401, 403, 415, 503)
HOLDER_DOMAIN = "personal_id"  # as `ocr.records.build_record` hashes the holder's ID


def _use_search() -> Problem:
    return bad_request(
        "Records are not searched through the URL: a personal ID must never appear in one. "
        "Use POST /v1/records/search with the holder's ID in the JSON body."
    )


def _refuse_query(request: web.Request) -> None:
    if request.query_string:
        raise _use_search()


def holder_of(value: object) -> PersonalId | None:
    """The holder a personal-ID field value names, if it is a valid 12-digit ID."""
    try:
        return PersonalId(value) if isinstance(value, str) else None
    except InvalidPersonalId:
        return None


def _holder(record: DigitizedRecord) -> PersonalId | None:
    return holder_of(record.fields.get("personal_id", {}).get("value"))


def signed_by(record: DigitizedRecord) -> str:
    """Who signed: the subject of the officer's certificate, or the installation key."""
    if not record.signer_certificate:
        return "installation key"
    try:
        cert = x509.load_pem_x509_certificate(record.signer_certificate.encode())
    except ValueError:
        return "unreadable certificate"
    return cert.subject.rfc4514_string()


def reviewed_view(read: FieldView, review: RecordReview) -> FieldView:
    who = f"{review.client_id} ({review.actor})" if review.actor else review.client_id
    done = "confirmed" if review.decision == "confirm" else "corrected"
    return read.model_copy(
        update={
            "value": review.value,
            "confidence": 1.0,
            "status": "accepted",
            "reason": f"{done} by a person (read: {read.reason})",
            "reviewed_by": who,
            "reviewed_at": review.created_at,
        }
    )


class RecordReader:
    """The operations, bound to one application's resources."""

    def __init__(self, app: web.Application) -> None:
        self.app = app

    def opened(self, found: Sequence[DigitizedRecord]) -> list[DigitizedRecord]:
        """The records with their sealed fields and text opened (`store.sealing`)."""
        return [store.opened(r, self.app[OAUTH].box) for r in found]

    def signature_valid(self, record: DigitizedRecord) -> bool:
        """The officer's signature against the certificate the record carries, or the
        installation's HMAC; any other algorithm, or a certificate signing for none, fails."""
        payload = signed_payload(record)
        if record.signer_certificate:
            return verify_with_certificate(
                record.signer_certificate,
                record.signature_alg,
                record.signature_key_id,
                payload,
                record.signature,
            )
        signer = HmacRecordSigner(self.app[OAUTH].box, record.signature_key_id)
        if record.signature_alg != signer.algorithm:
            return False
        return signer.verify(payload, record.signature)

    def view(
        self, record: DigitizedRecord, reviews: Mapping[str, RecordReview] | None = None
    ) -> RecordView:
        """The record as read, with a person's latest decision on each field laid over it (the
        signature covers the reading, not the decisions)."""
        fields = {
            name: FieldView(
                value=f.get("value"),
                confidence=float(f.get("confidence", 0.0)),
                status=f.get("status", "review"),
                reason=str(f.get("reason", "")),
                alternatives=[str(a) for a in f.get("alternatives", ())],
            )
            for name, f in record.fields.items()
        }
        for name, review in (reviews or {}).items():
            if name in fields:
                fields[name] = reviewed_view(fields[name], review)
        return RecordView(
            record_code=record.record_code,
            document_key=record.document_key,
            doc_type=record.doc_type,
            source=record.source,
            page_count=record.page_count,
            status="review" if any(f.status == "review" for f in fields.values()) else "accepted",
            created_at=record.created_at,
            officer=record.officer,
            batch_id=record.batch_id,
            fields=fields,
            in_review=[n for n, f in fields.items() if f.status == "review"],
            signature_valid=self.signature_valid(record),
            signature_alg=record.signature_alg,
            signed_by=signed_by(record),
        )

    async def audit(self, event: AuditEvent) -> None:
        await record_or_refuse(self.app, event)

    async def authorize(self, ctx: AccessContext, holder: PersonalId | None = None) -> None:
        """Deny by default, as for resident data: a live grant must allow the purpose (its
        rate and daily quota count too); a refusal is audited before it is answered."""
        await self.app[RESIDENTS].authorize(ctx, (), holder)

    def event(
        self,
        ctx: AccessContext,
        outcome: Outcome,
        resident: PersonalId | None,
        *,
        record: DigitizedRecord | None = None,
        detail: str,
        kind: EventType = EventType.RECORD_ACCESS,
        fields: tuple[str, ...] | None = None,
    ) -> AuditEvent:
        """An event on digitized records: read (`record.access`, the record's fields) or
        decided by a person (`record.review`, the field decided)."""
        return AuditEvent(
            type=kind,
            outcome=outcome,
            client_id=ctx.caller.client_id,
            actor=ctx.actor,
            purpose=ctx.purpose,
            reason=ctx.reason,
            case_ref=ctx.case_ref,
            resident=resident,
            fields_returned=fields
            if fields is not None
            else tuple(record.fields)
            if record
            else (),
            detail=detail,
            correlation_id=correlation_id.get(),
            request_hash=ctx.request_hash,
        )

    async def audit_records(
        self,
        ctx: AccessContext,
        found: Sequence[DigitizedRecord],
        how: str,
        asked_for: PersonalId | None = None,
    ) -> None:
        """One event per record returned, committed together; a search for a holder that finds
        nothing is recorded too (asking about a person is itself an access to their data)."""
        if not found and asked_for is not None:
            await self.audit(self.event(ctx, Outcome.NOT_FOUND, asked_for, detail=how))
            return
        await asyncio.gather(
            *(
                self.audit(
                    self.event(
                        ctx,
                        Outcome.OK,
                        _holder(r) or asked_for,
                        record=r,
                        detail=f"{how}: document {r.document_key}",
                    )
                )
                for r in found
            )
        )

    def page(
        self,
        found: Sequence[DigitizedRecord],
        limit: int,
        reviews: Mapping[str, Mapping[str, RecordReview]],
    ) -> RecordPage:
        last = found[-1].id if len(found) == limit else None
        views = [self.view(r, reviews.get(r.document_key)) for r in found]
        return RecordPage(records=views, next_cursor=last)


def _header_purpose(request: web.Request) -> tuple[Purposeful, bytes]:
    """A GET has no body: purpose, reason and case reference come in `X-Purpose`, `X-Reason`
    (percent-encoded UTF-8 where it is not ASCII) and `X-Case-Ref`."""
    values = {
        "purpose": request.headers.get("X-Purpose"),
        "reason": unquote(request.headers.get("X-Reason", "")) or None,
        "case_ref": request.headers.get("X-Case-Ref"),
    }
    missing = [h for h, k in (("X-Purpose", "purpose"), ("X-Reason", "reason")) if not values[k]]
    if missing:
        raise bad_request(f"Name the purpose and reason of the read: missing {', '.join(missing)}.")
    raw = json.dumps(values, ensure_ascii=False).encode()
    try:
        return Purposeful.model_validate_json(raw), raw
    except ValidationError as exc:
        raise bad_request(
            "Invalid X-Purpose, X-Reason or X-Case-Ref header.", errors=validation_errors(exc)
        ) from None


async def search(request: web.Request) -> web.Response:
    caller = await require(request, SCOPE)
    body = await read_model(request, RecordSearchBody)
    ctx = access_context(request, caller, body, await request.read())
    holder = body.holder_personal_id
    await request.app[RECORD_READER].authorize(ctx, holder)
    holder_hash = (
        request.app[OAUTH].box.keyed_hash(holder.digits, domain=HOLDER_DOMAIN) if holder else None
    )
    async with request.app[DATABASE].sessions() as session:
        found = await store.search_records(
            session,
            holder_hash=holder_hash,
            doc_type=body.doc_type,
            status=body.status,
            after_id=body.cursor,
            limit=body.limit,
        )
        reviews = await store.latest_reviews(
            session, (r.document_key for r in found), request.app[OAUTH].box
        )
    reader = request.app[RECORD_READER]
    found = reader.opened(found)
    await reader.audit_records(ctx, found, "records search", holder)
    return web.json_response(text=reader.page(found, body.limit, reviews).model_dump_json())


async def review_queue(request: web.Request) -> web.Response:
    caller = await require(request, SCOPE)
    body = await read_model(request, ReviewQueueBody)
    ctx = access_context(request, caller, body, await request.read())
    await request.app[RECORD_READER].authorize(ctx)
    async with request.app[DATABASE].sessions() as session:
        found = await store.search_records(
            session, doc_type=body.doc_type, in_review=True, after_id=body.cursor, limit=body.limit
        )
        reviews = await store.latest_reviews(
            session, (r.document_key for r in found), request.app[OAUTH].box
        )
    reader = request.app[RECORD_READER]
    found = reader.opened(found)
    await reader.audit_records(ctx, found, "review queue")
    return web.json_response(text=reader.page(found, body.limit, reviews).model_dump_json())


async def get_record(request: web.Request) -> web.Response:
    _refuse_query(request)
    caller = await require(request, SCOPE)
    purpose, raw = _header_purpose(request)
    ctx = access_context(request, caller, purpose, raw)
    await request.app[RECORD_READER].authorize(ctx)
    async with request.app[DATABASE].sessions() as session:
        record = await store.record_by_code(session, request.match_info["record_code"])
        if record is None:
            raise not_found("No record with this record code or document key.")
        reviews = await store.latest_reviews(session, [record.document_key], request.app[OAUTH].box)
    reader = request.app[RECORD_READER]
    [record] = reader.opened([record])
    await reader.audit_records(ctx, [record], "record read")
    view = reader.view(record, reviews.get(record.document_key))
    return web.json_response(text=view.model_dump_json())


async def list_records(request: web.Request) -> web.Response:
    raise _use_search()


async def get_batch(request: web.Request) -> web.Response:
    _refuse_query(request)
    await require(request, SCOPE)
    batch_id = request.match_info["batch_id"]
    async with request.app[DATABASE].sessions() as session:
        batch = await session.get(store.DigitizationBatch, batch_id)
        if batch is None:
            raise not_found("No digitization batch with this id.")
        records, in_review = await store.batch_record_counts(session, batch_id)
    view = BatchView(
        id=batch.id,
        state="finished" if batch.finished_at else "running",
        officer=batch.officer,
        started_at=batch.started_at,
        finished_at=batch.finished_at,
        records=records,
        records_in_review=in_review,
        summary=batch.summary,
    )
    return web.json_response(text=view.model_dump_json())


RECORD_READER = web.AppKey("record_reader", RecordReader)


def setup(app: web.Application) -> None:
    app[RECORD_READER] = RecordReader(app)
    app.router.add_get("/v1/records", list_records)
    app.router.add_post("/v1/records/search", search)
    app.router.add_post("/v1/records/review-queue", review_queue)
    # The POST-only siblings must not also match as a record code (a GET there would be a 404,
    # and an OPTIONS would advertise GET).
    code = r"{record_code:(?!search$|review-queue$|review$)[^/]+}"
    app.router.add_get(f"/v1/records/{code}", get_record)
    app.router.add_get("/v1/digitization/batches/{batch_id}", get_batch)
    doc = app[API_DOCUMENT]
    for operation in OPERATIONS:
        doc.add(operation)


def _param(name: str, where: str, description: str, *, required: bool = True) -> dict[str, Any]:
    schema = {"type": "string", "minLength": 1, "maxLength": 500}
    return {
        "name": name,
        "in": where,
        "required": required,
        "description": description,
        "schema": schema,
    }


PURPOSE_HEADERS = (
    _param("X-Purpose", "header", "purpose code of the read, e.g. ARCHIVE_LOOKUP"),
    _param("X-Reason", "header", "why the record is read (percent-encoded UTF-8)"),
    _param("X-Case-Ref", "header", "case reference", required=False),
)

OPERATIONS = (
    Operation(
        "POST",
        "/v1/records/search",
        "Search digitized records",
        "records",
        RecordSearchBody,
        RecordPage,
        SCOPE,
        ERRORS,
        "Filters by holder (ID in the body, matched through its keyed hash), document type and "
        "status; pages by `cursor`. Each record returned is audited before the answer. "
        "`GET /v1/records?holder=...` is refused with 400: an ID never goes in a URL.",
    ),
    Operation(
        "POST",
        "/v1/records/review-queue",
        "Records with fields awaiting review",
        "records",
        ReviewQueueBody,
        RecordPage,
        SCOPE,
        ERRORS,
        "For digitization staff: records having at least one field in `review`, with the "
        "reason of each, oldest first. Each record returned is audited.",
    ),
    Operation(
        "GET",
        "/v1/records/{record_code}",
        "Read one digitized record",
        "records",
        None,
        RecordView,
        SCOPE,
        (*ERRORS, 404),
        "By record code or document key. A GET has no body, so the purpose and reason go in "
        "the headers `X-Purpose` and `X-Reason` (required; percent-encode non-ASCII text), "
        "and an optional `X-Case-Ref`. `signature_valid` re-verifies the stored signature. "
        "The read is audited before the answer; a query string is refused.",
        (_param("record_code", "path", "record code or document key"), *PURPOSE_HEADERS),
    ),
    Operation(
        "GET",
        "/v1/digitization/batches/{batch_id}",
        "Status of a digitization batch",
        "records",
        None,
        BatchView,
        SCOPE,
        (400, 401, 403, 404),
        "Started and finished times, officer, records stored so far and the runner's summary.",
        (_param("batch_id", "path", "the batch id `popgate digitize` printed"),),
    ),
)
