"""The audit sink every part of the gateway writes to: `await app[AUDIT].record(event)`.

`record` returns only once the event is durably committed (DESIGN.md: no access without its audit
record) and raises `AuditUnavailable` when it cannot be; callers then refuse with 503.
"""

from __future__ import annotations

from typing import Protocol

from aiohttp import web

from schemas.audit import AuditEvent


class AuditUnavailable(RuntimeError):
    """The audit log cannot be written: no data may be sent."""


class AuditSink(Protocol):
    async def record(self, event: AuditEvent) -> None: ...


AUDIT = web.AppKey("audit", AuditSink)
