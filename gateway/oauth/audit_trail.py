"""Recording OAuth and admin events: nothing is answered without its audit record (DESIGN.md), so
an audit log that cannot be written turns the answer into a 503."""

from __future__ import annotations

from aiohttp import web

from gateway.auditing import AUDIT, AuditUnavailable
from gateway.problems import Problem
from schemas.audit import AuditEvent


async def record(request: web.Request, event: AuditEvent) -> None:
    try:
        await request.app[AUDIT].record(event)
    except AuditUnavailable:
        raise Problem(
            503,
            "audit-unavailable",
            "Service unavailable",
            "The audit log cannot be written; nothing was issued.",
            headers={"Retry-After": "5"},
        ) from None
