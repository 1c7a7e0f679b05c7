"""The gateway's published pages: the OpenAPI 3.1 document (built from the pydantic models each
route declares), its rendering at /docs, and the administrators' web page at /ui."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from aiohttp import web
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from gateway.keys import SETTINGS

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "correlation_id": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    scope: str | None = None
    errors: tuple[int, ...] = ()
    description: str = ""
    parameters: tuple[dict[str, Any], ...] = ()  # OpenAPI parameter objects (path, header)


@dataclass
class ApiDocument:
    title: str = "popgate"
    version: str = "1.0.0"
    operations: list[Operation] = field(default_factory=list)

    def add(self, operation: Operation) -> None:
        self.operations.append(operation)

    def build(self, base_url: str) -> dict[str, Any]:
        models = {m for op in self.operations for m in (op.body, op.response) if m is not None}
        keyed: list[tuple[type[BaseModel], JsonSchemaMode]] = [
            (m, "validation" if _is_body(m, self.operations) else "serialization") for m in models
        ]
        refs, defs = models_json_schema(
            sorted(keyed, key=lambda km: km[0].__name__),
            ref_template="#/components/schemas/{model}",
        )
        schemas = dict(defs.get("$defs", {}))
        schemas["Problem"] = PROBLEM_SCHEMA
        paths: dict[str, dict[str, Any]] = {}
        for op in self.operations:
            paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, refs)
        return {
            "openapi": "3.1.0",
            "info": {
                "title": self.title,
                "version": self.version,
                "description": "Population-data sharing gateway. Personal IDs travel in request "
                "bodies, never in URLs.",
            },
            "servers": [{"url": base_url}],
            "paths": paths,
            "components": {
                "schemas": schemas,
                "securitySchemes": {
                    "oauth2": {
                        "type": "oauth2",
                        "flows": {
                            "clientCredentials": {
                                "tokenUrl": f"{base_url}/oauth/token",
                                "scopes": _scopes(self.operations),
                            }
                        },
                    }
                },
            },
        }


def _is_body(model: type[BaseModel], operations: list[Operation]) -> bool:
    return any(op.body is model for op in operations)


def _scopes(operations: list[Operation]) -> dict[str, str]:
    return {op.scope: f"{op.tag} operations" for op in operations if op.scope}


def _operation(op: Operation, refs: dict[Any, Any]) -> dict[str, Any]:
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    responses: dict[str, Any] = {}
    if op.response is not None:
        schema = refs[(op.response, "serialization")]
        responses["200"] = {
            "description": "OK",
            "content": {"application/json": {"schema": schema}},
        }
    else:
        responses["200"] = {"description": "OK"}
    for status in op.errors:
        responses[str(status)] = {"description": _REASONS.get(status, "Error"), "content": problem}
    doc: dict[str, Any] = {
        "summary": op.summary,
        "tags": [op.tag],
        "operationId": op.method.lower() + op.path.replace("/", "_").replace("-", "_"),
        "responses": responses,
    }
    if op.description:
        doc["description"] = op.description
    if op.parameters:
        doc["parameters"] = list(op.parameters)
    if op.body is not None:
        doc["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[(op.body, "validation")]}},
        }
    if op.scope:
        doc["security"] = [{"oauth2": [op.scope]}]
    return doc


_REASONS = {
    400: "Invalid request",
    401: "Missing or invalid token",
    403: "Not granted",
    404: "Not found",
    413: "Body too large",
    415: "Unsupported media type",
    429: "Rate limit or quota exceeded",
    502: "Upstream answered badly",
    503: "Unavailable",
    504: "Upstream timed out",
}

API_DOCUMENT = web.AppKey("api_document", ApiDocument)


async def openapi_json(request: web.Request) -> web.Response:
    base = request.app[SETTINGS].resolved_public_url()
    return web.json_response(request.app[API_DOCUMENT].build(base))


async def docs_page(request: web.Request) -> web.Response:
    html = resources.files("gateway.static").joinpath("docs.html").read_text(encoding="utf-8")
    return web.Response(text=html, content_type="text/html")


async def admin_page(request: web.Request) -> web.Response:
    html = resources.files("gateway.static").joinpath("admin.html").read_text(encoding="utf-8")
    response = web.Response(text=html, content_type="text/html")
    # The page holds an admin token in memory: no framing, no inline code from elsewhere.
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
        "frame-ancestors 'none'"
    )
    response.headers["X-Frame-Options"] = "DENY"
    return response


def setup(app: web.Application) -> None:
    app[API_DOCUMENT] = ApiDocument()
    app.router.add_get("/openapi.json", openapi_json)
    app.router.add_get("/docs", docs_page)
    app.router.add_get("/ui", admin_page)
