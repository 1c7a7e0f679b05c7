"""Reading request bodies: JSON only, validated by a model, errors that never echo the input."""

from __future__ import annotations

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


async def read_json_bytes(request: web.Request) -> bytes:
    if request.content_type != "application/json":
        raise Problem(
            415,
            "unsupported-media-type",
            "Unsupported media type",
            "Send the body as application/json.",
        )
    return await request.read()


def parse_model(model: type[M], raw: bytes | str) -> M:
    """Validate JSON text in JSON mode, so strict models take ISO dates and arrays as JSON has
    them, and nothing else."""
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        if any(err["type"] == "json_invalid" for err in exc.errors()):
            raise bad_request("Malformed JSON.") from None
        raise bad_request("The request body is not valid.", errors=validation_errors(exc)) from None


async def read_model(request: web.Request, model: type[M]) -> M:
    return parse_model(model, await read_json_bytes(request))
