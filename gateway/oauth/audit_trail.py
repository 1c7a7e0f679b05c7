"""Recording OAuth and admin events: nothing is answered without its audit record (DESIGN.md), so
an audit log that cannot be written turns the answer into a 503."""

from __future__ import annotations

from aiohttp import web

from gateway.auditing import record_or_refuse
from schemas.audit import AuditEvent


async def record(request: web.Request, event: AuditEvent) -> None:
    await record_or_refuse(request.app, event)
