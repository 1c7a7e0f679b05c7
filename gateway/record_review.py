"""`POST /v1/records/review`: digitization staff confirm or correct a field the pipeline sent to
review (or any field they find wrong).

The record as read and signed is never changed: a decision is stored beside it (sealed like the
fields), laid over the reading whenever the record is read, and audited (`record.review`) before
it is stored and answered. A correction must pass the rules a reading must pass
(`ocr.validate.check_value`), and the holder's ID, birth date and sex must still agree. The
record's in-review count follows, so the review queue empties as fields are decided.
"""

from __future__ import annotations

import datetime as dt

from aiohttp import web

from gateway.access import access_context
from gateway.bodies import read_model
from gateway.keys import DATABASE
from gateway.oauth.context import OAUTH
from gateway.oauth.protect import require
from gateway.openapi import API_DOCUMENT, Operation
from gateway.problems import Problem, not_found
from gateway.records import ERRORS, RECORD_READER, holder_of
from ocr.validate import check_value, holder_consistent
from schemas.audit import EventType, Outcome
from schemas.grants import Scope
from schemas.records_api import FieldReviewBody, RecordView
from store import records as store

SCOPE = Scope.DIGITIZATION_WRITE


def _unprocessable(detail: str) -> Problem:
    return Problem(422, "unprocessable-review", "The review cannot be applied", detail)


async def review_field(request: web.Request) -> web.Response:
    caller = await require(request, SCOPE)
    body = await read_model(request, FieldReviewBody)
    ctx = access_context(request, caller, body, await request.read())
    reader = request.app[RECORD_READER]
    await reader.authorize(ctx)
    box = request.app[OAUTH].box
    async with request.app[DATABASE].sessions() as session:
        stored = await store.find_record(session, body.document_key)
        if stored is None:
            raise not_found("No record with this document key.")
        record = store.opened(stored, box)
        reviews = (await store.latest_reviews(session, [record.document_key], box)).get(
            record.document_key, {}
        )
        view = reader.view(record, reviews)
        if body.field not in view.fields:
            raise _unprocessable(f"The record has no field {body.field}.")
        current = view.fields[body.field]
        value = _decided_value(body, current.value)
        values = {name: f.value for name, f in view.fields.items()} | {body.field: value}
        if not holder_consistent(
            values.get("personal_id"), values.get("date_of_birth"), values.get("sex")
        ):
            raise _unprocessable(
                "The personal ID would not match the date of birth and sex: decide those first."
            )
        in_review = sum(
            1 for name, f in view.fields.items() if f.status == "review" and name != body.field
        )
        event = reader.event(
            ctx,
            Outcome.OK,
            holder_of(values.get("personal_id")),
            detail=f"{body.decision} {body.field} of document {record.document_key}",
            kind=EventType.RECORD_REVIEW,
            fields=(body.field,),
        )
        await reader.audit(event)
        review = await store.add_review(
            session,
            stored,
            body.field,
            body.decision,
            value,
            client_id=caller.client_id,
            actor=ctx.actor,
            box=box,
            fields_in_review=in_review,
        )
        shown = store.RecordReview(
            document_key=review.document_key,
            field=review.field,
            decision=review.decision,
            value=value,  # the stored one is sealed
            client_id=review.client_id,
            actor=review.actor,
            created_at=review.created_at,
        )
        await session.commit()
        reviews = {**reviews, body.field: shown}
    answer = reader.view(record, reviews)
    return web.json_response(text=answer.model_dump_json(), status=201)


def _decided_value(body: FieldReviewBody, current: str | None) -> str:
    if body.decision == "confirm":
        if current is None:
            raise _unprocessable("Nothing was read in this field: correct it with a value.")
        if body.value is not None and body.value != current:
            raise _unprocessable("A confirmation takes no value, or the value as read.")
        return current
    if body.value is None:
        raise _unprocessable("A correction needs the right value.")
    problem = check_value(body.field, body.value, dt.date.today())
    if problem:
        raise _unprocessable(f"The value is not acceptable: {problem}.")
    return body.value


OPERATION = Operation(
    "POST",
    "/v1/records/review",
    "Confirm or correct a field of a digitized record",
    "records",
    FieldReviewBody,
    RecordView,
    SCOPE,
    (*ERRORS, 404, 422),
    "A person's decision on one field: `confirm` the value as read, or `correct` it with a "
    "value that passes the same rules as a reading. The record as signed stays unchanged; the "
    "decision is laid over it on every read, audited (`record.review`) before it is stored, and "
    "counted in the review queue. Answers 201 with the record as it now reads.",
)


def setup(app: web.Application) -> None:
    app.router.add_post("/v1/records/review", review_field)
    app[API_DOCUMENT].add(OPERATION)
