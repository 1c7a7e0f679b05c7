"""The audit sink every part of the gateway writes to: `await app[AUDIT].record(event)`.

`record` returns only once the event is durably committed (DESIGN.md: no access without its audit
record) and raises `AuditUnavailable` when it cannot be; callers then refuse with 503.
"""

from __future__ import annotations

from typing import Protocol

from aiohttp import web

from gateway.problems import Problem
from schemas.audit import AuditEvent


class AuditUnavailable(RuntimeError):
    """The audit log cannot be written: no data may be sent."""


class AuditSink(Protocol):
    async def record(self, event: AuditEvent) -> None: ...


AUDIT = web.AppKey("audit", AuditSink)


def audit_unavailable() -> Problem:
    return Problem(
        503,
        "audit-unavailable",
        "Audit log unavailable",
        "The access cannot be recorded, so it is not made. Try again shortly.",
        headers={"Retry-After": "5"},
    )


async def record_or_refuse(app: web.Application, event: AuditEvent) -> None:
    """Commit `event`, or answer 503: nothing goes out without its audit record."""
    try:
        await app[AUDIT].record(event)
    except AuditUnavailable:
        raise audit_unavailable() from None
