"""The administrators' view of the audit log: filtered, newest first, paged by a cursor."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from store.audit import EVENTS
from store.engine import Database


@dataclass(frozen=True)
class AuditFilter:
    client_id: str | None = None
    purpose: str | None = None
    outcome: str | None = None
    type: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    resident_hash: str | None = None
    limit: int = 100
    before_id: int | None = None


@dataclass(frozen=True)
class AuditPage:
    events: list[dict[str, Any]]
    next_cursor: int | None


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value else None


def public_view(row: Any) -> dict[str, Any]:
    """An event as the admin API shows it: the resident only as its keyed hash."""
    return {
        "id": row.id,
        "occurred_at": _iso(row.occurred_at),
        "recorded_at": _iso(row.recorded_at),
        "type": row.type,
        "outcome": row.outcome,
        "client_id": row.client_id,
        "actor": row.actor,
        "purpose": row.purpose,
        "reason": row.reason,
        "case_ref": row.case_ref,
        "legal_basis": row.legal_basis,
        "grant_id": row.grant_id,
        "resident_ref": row.resident_hash,
        "fields_returned": json.loads(row.fields_returned),
        "fields_withheld": json.loads(row.fields_withheld),
        "detail": row.detail,
        "correlation_id": row.correlation_id,
        "request_hash": row.request_hash,
        "hidden_until": _iso(row.hidden_until),
        "segment": row.segment,
        "seq": row.seq,
    }


async def search_events(db: Database, f: AuditFilter) -> AuditPage:
    query = select(EVENTS)
    conditions = {
        EVENTS.c.client_id: f.client_id,
        EVENTS.c.purpose: f.purpose,
        EVENTS.c.outcome: f.outcome,
        EVENTS.c.type: f.type,
        EVENTS.c.resident_hash: f.resident_hash,
    }
    for column, value in conditions.items():
        if value is not None:
            query = query.where(column == value)
    if f.since is not None:
        query = query.where(EVENTS.c.occurred_at >= f.since)
    if f.until is not None:
        query = query.where(EVENTS.c.occurred_at < f.until)
    if f.before_id is not None:
        query = query.where(EVENTS.c.id < f.before_id)
    query = query.order_by(EVENTS.c.id.desc()).limit(f.limit + 1)
    async with db.engine.connect() as conn:
        rows = (await conn.execute(query)).all()
    more = len(rows) > f.limit
    rows = rows[: f.limit]
    return AuditPage([public_view(r) for r in rows], rows[-1].id if more else None)
