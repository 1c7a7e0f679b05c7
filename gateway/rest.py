"""The REST face of the resident data API: `/v1/residents/lookup`, `/verify`, `/verify-batch`."""

from __future__ import annotations

from aiohttp import web

from gateway.access import access_context
from gateway.bodies import read_model
from gateway.logs import correlation_id
from gateway.oauth.protect import require
from gateway.openapi import API_DOCUMENT, Operation
from gateway.residents import RESIDENTS, Residents, matched
from schemas.api import (
    LookupBody,
    LookupResponse,
    VerifyBatchBody,
    VerifyBatchResponse,
    VerifyBody,
    VerifyItem,
    VerifyResponse,
)
from schemas.grants import Scope

ERRORS = (400, 401, 403, 404, 413, 415, 429, 502, 503, 504)


async def lookup(request: web.Request) -> web.Response:
    caller = await require(request, Scope.RESIDENTS_LOOKUP)
    body = await read_model(request, LookupBody)
    ctx = access_context(request, caller, body, await request.read())
    outcome = await request.app[RESIDENTS].lookup(ctx, body.personal_id, body.fields)
    response = LookupResponse(
        request_id=correlation_id.get() or "",
        purpose=body.purpose,
        fields=outcome.fields,
        withheld=list(outcome.withheld),
    )
    return web.json_response(text=response.model_dump_json())


async def verify(request: web.Request) -> web.Response:
    caller = await require(request, Scope.RESIDENTS_VERIFY)
    body = await read_model(request, VerifyBody)
    ctx = access_context(request, caller, body, await request.read())
    # Already validated as part of the body: construct, do not re-validate the normalised text.
    item = VerifyItem.model_construct(
        personal_id=body.personal_id, full_name=body.full_name, date_of_birth=body.date_of_birth
    )
    result = await request.app[RESIDENTS].verify(ctx, item)
    response = VerifyResponse(
        request_id=correlation_id.get() or "",
        match=result.match,
        matched=matched(result),
        name_match=result.full_name.value,
    )
    return web.json_response(text=response.model_dump_json())


async def verify_batch(request: web.Request) -> web.Response:
    caller = await require(request, Scope.RESIDENTS_VERIFY)
    body = await read_model(request, VerifyBatchBody)
    ctx = access_context(request, caller, body, await request.read())
    results = await request.app[RESIDENTS].verify_batch(ctx, body.items)
    summary = {
        "items": len(results),
        "matched": sum(1 for r in results if r.match),
        "not_matched": sum(1 for r in results if r.match is False),
        "errors": sum(1 for r in results if r.error is not None),
    }
    response = VerifyBatchResponse(
        request_id=correlation_id.get() or "", results=results, summary=summary
    )
    return web.json_response(text=response.model_dump_json())


def setup(app: web.Application) -> None:
    app[RESIDENTS] = Residents(app)
    app.router.add_post("/v1/residents/lookup", lookup)
    app.router.add_post("/v1/residents/verify", verify)
    app.router.add_post("/v1/residents/verify-batch", verify_batch)
    doc = app[API_DOCUMENT]
    doc.add(
        Operation(
            "POST",
            "/v1/residents/lookup",
            "Read a resident's granted fields",
            "residents",
            LookupBody,
            LookupResponse,
            Scope.RESIDENTS_LOOKUP.value,
            ERRORS,
            "Returns the fields granted to the client for the purpose, intersected with those "
            "asked for; `withheld` lists the rest. The access is audited before the answer.",
        )
    )
    doc.add(
        Operation(
            "POST",
            "/v1/residents/verify",
            "Check ID, name and date of birth (yes/no)",
            "residents",
            VerifyBody,
            VerifyResponse,
            Scope.RESIDENTS_VERIFY.value,
            ERRORS,
            "No personal data is returned. Names compare in NFC, ignoring case and spacing; a "
            "match only without tone marks is reported as `without_diacritics`, not a match.",
        )
    )
    doc.add(
        Operation(
            "POST",
            "/v1/residents/verify-batch",
            "Verify up to 1,000 residents",
            "residents",
            VerifyBatchBody,
            VerifyBatchResponse,
            Scope.RESIDENTS_VERIFY.value,
            ERRORS,
            "Each item is answered on its own; an invalid item gets an error, not the batch.",
        )
    )
