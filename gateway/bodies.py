"""Reading request bodies: JSON only, validated by a model, errors that never echo the input."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from gateway.problems import Problem, bad_request

M = TypeVar("M", bound=BaseModel)


def validation_errors(exc: ValidationError) -> list[dict[str, Any]]:
    """Field paths and messages only: the rejected values (maybe an ID) are never echoed."""
    return [
        {
            "loc": ".".join(str(p) for p in err["loc"]) or "body",
            "msg": err["msg"],
            "type": err["type"],
        }
        for err in exc.errors(include_input=False, include_url=False, include_context=False)
    ]


async def read_json(request: web.Request) -> Any:
    if request.content_type != "application/json":
        raise Problem(
            415,
            "unsupported-media-type",
            "Unsupported media type",
            "Send the body as application/json.",
        )
    raw = await request.read()
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise bad_request(f"Malformed JSON: {type(exc).__name__}.") from None


def parse_model(model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise bad_request("The request body is not valid.", errors=validation_errors(exc)) from None


async def read_model(request: web.Request, model: type[M]) -> M:
    return parse_model(model, await read_json(request))
