"""The sandbox's REST face: `POST /v1/residents:lookup`, `:verify`, `:verify-batch` (JSON)."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from connectors.sandbox.errors import INVALID_REQUEST, ContractError
from connectors.sandbox.keys import SERVICE
from schemas.contract import OPENAPI_NAME, read_bytes
from schemas.registry import LookupRequest, VerifyBatchRequest, VerifyRequest

M = TypeVar("M", bound=BaseModel)

routes = web.RouteTableDef()


def render_error(error: ContractError) -> web.Response:
    """X-Road REST profile: header `X-Road-Error` and a JSON body `{type, message}`."""
    return web.json_response(
        {"type": error.code, "message": error.message},
        status=error.status,
        headers={"X-Road-Error": error.code},
    )


def validation_message(exc: ValidationError) -> str:
    """Locations and reasons only: pydantic's `input` (which may be an ID) is left out."""
    parts = []
    for err in exc.errors(include_url=False, include_input=False)[:5]:
        where = ".".join(str(p) for p in err["loc"]) or "body"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


async def parse(request: web.Request, model: type[M]) -> M:
    if request.content_type != "application/json":
        raise ContractError(INVALID_REQUEST, "the body must be application/json")
    try:
        data: Any = json.loads(await request.read())
    except ValueError:
        raise ContractError(INVALID_REQUEST, "the body is not valid JSON") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ContractError(INVALID_REQUEST, validation_message(exc)) from None


def _json(data: Any) -> web.Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return web.Response(text=body, content_type="application/json")


@routes.post("/v1/residents:lookup")
async def lookup(request: web.Request) -> web.Response:
    query = await parse(request, LookupRequest)
    return _json({"fields": await request.app[SERVICE].lookup(query)})


@routes.post("/v1/residents:verify")
async def verify(request: web.Request) -> web.Response:
    query = await parse(request, VerifyRequest)
    verdict = await request.app[SERVICE].verify(query)
    return _json(verdict.model_dump(mode="json"))


@routes.post("/v1/residents:verify-batch")
async def verify_batch(request: web.Request) -> web.Response:
    batch = await parse(request, VerifyBatchRequest)
    verdicts = await request.app[SERVICE].verify_batch(batch.requests)
    return _json({"results": [v.model_dump(mode="json") for v in verdicts]})


@routes.get("/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    return web.Response(body=read_bytes(OPENAPI_NAME), content_type="application/json")
