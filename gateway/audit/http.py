"""HTTP faces of the audit log: the admin query and the citizen's access report.

Who may call is decided by the `authorize(request, scope)` callable handed to `setup_routes` (the
OAuth resource protection, at merge): it returns the authenticated caller or raises a 401/403
problem. A personal ID is accepted only in a JSON body, never in a URL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from gateway.audit.chain import resident_lookup_hash
from gateway.audit.query import AuditFilter, search_events
from gateway.audit.service import AUDIT_LOG
from gateway.audit.transparency import find_usage
from gateway.auditing import record_or_refuse
from gateway.bodies import parse_model, validation_errors
from gateway.logs import correlation_id
from gateway.problems import Problem, bad_request
from schemas.audit import (
    AccessReportRequest,
    AuditEvent,
    AuditSearchRequest,
    EventType,
    Outcome,
)
from schemas.personal_id import InvalidPersonalId, PersonalId

ADMIN_SCOPE = "admin"
REPORT_SCOPE = "transparency.report"
# Query parameters that would put an ID in a URL: refused, with a pointer to the POST form.
_ID_PARAMS = frozenset({"resident", "personal_id", "holder", "id_number"})
_QUERY_PARAMS = frozenset(
    {"client_id", "purpose", "outcome", "type", "from", "to", "limit", "cursor"}
)


class Caller(Protocol):
    @property
    def client_id(self) -> str: ...


Authorize = Callable[[web.Request, str], Awaitable[Caller]]
M = TypeVar("M", bound=BaseModel)


async def _body(request: web.Request, model: type[M]) -> M:
    # These endpoints have always taken a JSON body whatever its declared media type.
    return parse_model(model, await request.read())


def _invalid(exc: ValidationError, detail: str) -> Problem:
    return bad_request(detail, errors=validation_errors(exc))


def _personal_id(raw: str) -> PersonalId:
    try:
        return PersonalId(raw)
    except InvalidPersonalId as exc:
        raise bad_request(f"personal_id: {exc}") from None


def _timestamp(raw: str | None, name: str) -> dt.datetime | None:
    if raw is None:
        return None
    try:
        value = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise bad_request(f"{name}: not an ISO 8601 time") from None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


async def _record(request: web.Request, event: AuditEvent) -> None:
    await record_or_refuse(request.app, event)


def setup_routes(app: web.Application, authorize: Authorize) -> None:
    """Register the audit endpoints, each guarded by `authorize` with its scope."""

    async def list_events(request: web.Request) -> web.Response:
        await authorize(request, ADMIN_SCOPE)
        q = request.query
        if _ID_PARAMS & set(q):
            raise bad_request(
                "A personal ID may not appear in a URL: filter by resident with "
                "POST /admin/v1/audit/search."
            )
        unknown = set(q) - {
            "client_id",
            "purpose",
            "outcome",
            "type",
            "from",
            "to",
            "limit",
            "cursor",
        }
        if unknown:
            raise bad_request(f"unknown query parameter(s): {', '.join(sorted(unknown))}")
        try:
            search = AuditSearchRequest.model_validate(
                {k: q[k] for k in q if k not in ("from", "to")}
                | {"from": _timestamp(q.get("from"), "from"), "to": _timestamp(q.get("to"), "to")}
            )
        except ValidationError as exc:
            raise _invalid(exc, "Invalid query parameters.") from None
        return web.json_response(await _search(request, search, resident_hash=None))

    async def search_post(request: web.Request) -> web.Response:
        caller = await authorize(request, ADMIN_SCOPE)
        search = await _body(request, AuditSearchRequest)
        if search.personal_id is None:
            return web.json_response(await _search(request, search, resident_hash=None))
        pid = _personal_id(search.personal_id)
        box = request.app[AUDIT_LOG].box
        found = await _search(request, search, resident_hash=resident_lookup_hash(box, pid.digits))
        # Looking up one resident's trail is itself an access to record before answering.
        await _record(
            request,
            AuditEvent(
                type=EventType.AUDIT_SEARCH,
                outcome=Outcome.OK,
                client_id=caller.client_id,
                resident=pid,
                detail=f"{len(found['events'])} events returned",
                correlation_id=correlation_id.get(),
            ),
        )
        return web.json_response(found)

    async def access_report(request: web.Request) -> web.Response:
        caller = await authorize(request, REPORT_SCOPE)
        ask = await _body(request, AccessReportRequest)
        pid = _personal_id(ask.personal_id)
        log = request.app[AUDIT_LOG]
        report = await find_usage(log.db, log.box, pid, ask.offset, ask.limit)
        await _record(
            request,
            AuditEvent(
                type=EventType.TRANSPARENCY_REPORT,
                outcome=Outcome.OK,
                client_id=caller.client_id,
                resident=pid,
                detail=f"{len(report.entries)} entries reported",
                correlation_id=correlation_id.get(),
            ),
        )
        return web.json_response(report.as_json())

    app.router.add_get("/admin/v1/audit", list_events)
    app.router.add_post("/admin/v1/audit/search", search_post)
    app.router.add_post("/v1/transparency/access-report", access_report)


async def _search(
    request: web.Request, search: AuditSearchRequest, *, resident_hash: str | None
) -> dict[str, Any]:
    page = await search_events(
        request.app[AUDIT_LOG].db,
        AuditFilter(
            client_id=search.client_id,
            purpose=search.purpose,
            outcome=search.outcome.value if search.outcome else None,
            type=search.type.value if search.type else None,
            since=search.since,
            until=search.until,
            resident_hash=resident_hash,
            limit=search.limit,
            before_id=search.cursor,
        ),
    )
    return {"events": page.events, "next_cursor": page.next_cursor}
