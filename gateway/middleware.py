"""Cross-cutting request handling: correlation id, JSON access log, metrics, problem+json errors."""

from __future__ import annotations

import itertools
import logging
import os
import re
import time
import uuid

from aiohttp import web
from aiohttp.typedefs import Handler

from gateway.keys import METRICS, SETTINGS
from gateway.logs import correlation_id
from gateway.problems import Problem, from_http_exception

log = logging.getLogger("popgate.http")

SELF_LIMITED = "/soap/"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestIds:
    """Correlation ids need to be unique, not secret: a random prefix per application and a
    counter (32 hex characters, like a UUID) spare a system call on every request."""

    def __init__(self) -> None:
        self._prefix = os.urandom(8).hex()
        self._counter = itertools.count()

    def next(self) -> str:
        return f"{self._prefix}{next(self._counter):016x}"


REQUEST_IDS = web.AppKey("request_ids", RequestIds)


def _route_label(request: web.Request) -> str:
    """The route template, never the raw path (a path may carry identifiers)."""
    info = request.match_info.route.resource
    if info is None:
        return "unmatched"
    return info.canonical


def _incoming_request_id(request: web.Request) -> str:
    given = request.headers.get("X-Request-Id", "")
    if _REQUEST_ID.match(given):
        return given
    ids = request.app.get(REQUEST_IDS)  # an app not made by create_app has none
    return ids.next() if ids is not None else uuid.uuid4().hex


@web.middleware
async def request_context(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Bind the correlation id, time the request, log it and count it; errors become problems."""
    cid = _incoming_request_id(request)
    token = correlation_id.set(cid)
    started = time.perf_counter()
    try:
        try:
            response = await handler(request)
        except Problem as problem:
            response = problem.response()
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            response = from_http_exception(exc).response()
        except Exception:
            log.exception("unhandled error")
            response = Problem(500, "internal-error", "Internal error").response()
        response.headers["X-Request-Id"] = cid
        elapsed = time.perf_counter() - started
        route = _route_label(request)
        request.app[METRICS].observe(route, request.method, response.status, elapsed)
        log.info(
            "request",
            extra={
                "method": request.method,
                "route": route,
                "status": response.status,
                "duration_ms": round(elapsed * 1000, 2),
            },
        )
        return response
    finally:
        correlation_id.reset(token)


@web.middleware
async def body_limit(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse a declared oversized body before reading it (aiohttp caps what it reads too).
    The SOAP face applies the same limit itself, to answer with a SOAP fault."""
    if request.path.startswith(SELF_LIMITED):
        return await handler(request)
    limit = request.app[SETTINGS].max_body_bytes
    if request.content_length is not None and request.content_length > limit:
        raise Problem(
            413, "body-too-large", "Request body too large", f"The limit is {limit} bytes."
        )
    return await handler(request)
