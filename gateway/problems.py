"""RFC 9457 problem details: every error popgate answers is one of these, with a stable type."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from gateway.logs import correlation_id

PROBLEM_BASE = "https://popgate.example/problems/"
PROBLEM_CONTENT_TYPE = "application/problem+json"


class Problem(Exception):
    """An error to send as problem+json. `slug` is the stable last segment of `type`."""

    def __init__(
        self,
        status: int,
        slug: str,
        title: str,
        detail: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})

    def body(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "type": PROBLEM_BASE + self.slug,
            "title": self.title,
            "status": self.status,
        }
        if self.detail:
            doc["detail"] = self.detail
        doc.update(self.extra)
        cid = correlation_id.get()
        if cid:
            doc["correlation_id"] = cid
        return doc

    def response(self) -> web.Response:
        return web.Response(
            status=self.status,
            body=json.dumps(self.body(), ensure_ascii=False).encode(),
            content_type=PROBLEM_CONTENT_TYPE,
            headers=self.headers,
        )


def bad_request(detail: str, *, errors: list[dict[str, Any]] | None = None) -> Problem:
    return Problem(
        400,
        "invalid-request",
        "Invalid request",
        detail,
        extra={"errors": errors} if errors else None,
    )


def not_found(detail: str = "No such resource.") -> Problem:
    return Problem(404, "not-found", "Not found", detail)


# Problems raised by aiohttp itself, mapped to stable slugs.
HTTP_SLUGS: Mapping[int, tuple[str, str]] = {
    400: ("invalid-request", "Invalid request"),
    401: ("unauthorized", "Unauthorized"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    413: ("body-too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    429: ("rate-limited", "Too many requests"),
    500: ("internal-error", "Internal error"),
    503: ("unavailable", "Service unavailable"),
}


def from_http_exception(exc: web.HTTPException) -> Problem:
    slug, title = HTTP_SLUGS.get(exc.status, ("http-error", exc.reason))
    headers = {k: v for k, v in exc.headers.items() if k.lower() in ("allow", "retry-after")}
    detail = exc.text if exc.text and not exc.text.startswith(f"{exc.status}:") else None
    return Problem(exc.status, slug, title, detail, headers=headers)
