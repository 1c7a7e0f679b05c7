"""The admin audit query and the citizen's access report, over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from gateway import health
from gateway.audit.http import setup_routes
from gateway.audit.service import audit_ctx
from gateway.audit.writer import AuditWriter
from gateway.auditing import AUDIT
from gateway.keys import DATABASE, METRICS, READINESS, SETTINGS
from gateway.metrics import Metrics
from gateway.middleware import request_context
from schemas.audit import EventType, Outcome
from schemas.settings import Settings
from store.engine import Database
from tests.gateway.audit.authorizer import authorize, bearer
from tests.gateway.audit.support import ALICE, BOB, access

REPORT = "/v1/transparency/access-report"


@pytest.fixture
async def client(aiohttp_client: Any, database: Database, tmp_path: Path) -> TestClient:
    app = web.Application(middlewares=[request_context])
    app[SETTINGS] = Settings(data_dir=tmp_path)
    app[METRICS] = Metrics()
    app[READINESS] = {}
    app[DATABASE] = database
    app.cleanup_ctx.append(audit_ctx)
    setup_routes(app, authorize)
    app.add_routes(health.routes)
    return await aiohttp_client(app)  # type: ignore[no-any-return]


async def _accesses(client: TestClient) -> None:
    """What happened to Alice and Bob, through the app's own audit sink."""
    sink = client.app[AUDIT]
    now = dt.datetime.now(dt.UTC)
    await sink.record(access(1, purpose="tax.assessment", fields_returned=("full_name",)))
    await sink.record(access(2, client="health-dept", purpose="insurance.check"))
    await sink.record(access(3, type=EventType.DATA_VERIFY, fields_returned=()))
    await sink.record(access(4, outcome=Outcome.DENIED, detail="no grant for this purpose"))
    await sink.record(access(5, resident=BOB))
    await sink.record(
        access(
            6, client="police", purpose="investigation", hidden_until=now + dt.timedelta(days=90)
        )
    )
    await sink.record(
        access(7, client="police", purpose="investigation", hidden_until=now - dt.timedelta(days=1))
    )
    await sink.record(access(8, type=EventType.TOKEN_ISSUED, resident=None))


async def test_access_report_lists_exactly_the_accesses_and_withholds_delayed_ones(
    client: TestClient,
) -> None:
    await _accesses(client)
    resp = await client.post(REPORT, json={"personal_id": ALICE}, headers=bearer("report-token"))
    assert resp.status == 200
    report = await resp.json()
    assert sorted(e["reason"] for e in report["entries"]) == [
        "case 1",
        "case 2",
        "case 3",
        "case 7",
    ]
    assert report["total"] == 4
    assert report["withheld"] is True and "withheld" in report["notice"]
    first = next(e for e in report["entries"] if e["reason"] == "case 1")
    assert first == {
        "when": first["when"],
        "kind": "data.access",
        "client_id": "tax-office",
        "actor": "unit-7",
        "purpose": "tax.assessment",
        "reason": "case 1",
        "legal_basis": "Law 38/2019 art. 17",
        "fields": ["full_name"],
    }
    whens = [e["when"] for e in report["entries"]]
    assert whens == sorted(whens, reverse=True)


async def test_access_report_without_delayed_entries_says_nothing_is_withheld(
    client: TestClient,
) -> None:
    await _accesses(client)
    resp = await client.post(REPORT, json={"personal_id": BOB}, headers=bearer("report-token"))
    report = await resp.json()
    assert [e["reason"] for e in report["entries"]] == ["case 5"]
    assert report["withheld"] is False and report["notice"] is None


async def test_access_report_pages_with_offset_and_limit(client: TestClient) -> None:
    await _accesses(client)
    pages = []
    for offset in (0, 2, 4):
        resp = await client.post(
            REPORT,
            json={"personal_id": ALICE, "offset": offset, "limit": 2},
            headers=bearer("report-token"),
        )
        pages.append([e["reason"] for e in (await resp.json())["entries"]])
    assert [len(p) for p in pages] == [2, 2, 0]
    assert len(set(pages[0] + pages[1])) == 4


async def test_access_report_refuses_callers_without_the_scope(client: TestClient) -> None:
    body = {"personal_id": ALICE}
    assert (await client.post(REPORT, json=body)).status == 401
    assert (await client.post(REPORT, json=body, headers=bearer("client-token"))).status == 403
    assert (await client.post(REPORT, json=body, headers=bearer("wrong"))).status == 401


async def test_access_report_refuses_bad_bodies_with_a_problem(client: TestClient) -> None:
    headers = bearer("report-token")
    bad_id = await client.post(REPORT, json={"personal_id": "12345"}, headers=headers)
    assert bad_id.status == 400
    assert (await bad_id.json())["type"].endswith("/invalid-request")
    extra = await client.post(REPORT, json={"personal_id": ALICE, "x": 1}, headers=headers)
    assert extra.status == 400
    not_json = await client.post(REPORT, data=b"{", headers=headers)
    assert not_json.status == 400


async def test_the_report_itself_is_audited_without_the_id_in_clear(client: TestClient) -> None:
    await client.post(REPORT, json={"personal_id": ALICE}, headers=bearer("report-token"))
    resp = await client.get(
        "/admin/v1/audit", params={"type": "transparency.report"}, headers=bearer("admin-token")
    )
    events = (await resp.json())["events"]
    assert len(events) == 1
    assert events[0]["client_id"] == "citizen-desk"
    assert events[0]["resident_ref"] and ALICE not in str(events)


async def test_report_is_refused_with_503_when_the_audit_log_cannot_be_written(
    client: TestClient,
) -> None:
    await _accesses(client)
    writer = client.app[AUDIT]
    assert isinstance(writer, AuditWriter)
    await writer.stop()
    resp = await client.post(REPORT, json={"personal_id": ALICE}, headers=bearer("report-token"))
    assert resp.status == 503
    body = await resp.json()
    assert body["type"].endswith("/audit-unavailable") and "entries" not in body


async def test_admin_query_filters_and_pages(client: TestClient) -> None:
    await _accesses(client)
    admin = bearer("admin-token")
    police = await client.get("/admin/v1/audit", params={"client_id": "police"}, headers=admin)
    assert [e["reason"] for e in (await police.json())["events"]] == ["case 7", "case 6"]
    denied = await client.get("/admin/v1/audit", params={"outcome": "denied"}, headers=admin)
    assert [e["reason"] for e in (await denied.json())["events"]] == ["case 4"]

    seen: list[str] = []
    cursor: int | None = None
    while True:
        params = {"limit": "3"} | ({"cursor": str(cursor)} if cursor else {})
        page = await (await client.get("/admin/v1/audit", params=params, headers=admin)).json()
        seen += [e["reason"] for e in page["events"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"case {n}" for n in range(8, 0, -1)]

    future = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()
    later = await client.get("/admin/v1/audit", params={"from": future}, headers=admin)
    assert (await later.json())["events"] == []


async def test_admin_query_refuses_an_id_in_the_url(client: TestClient) -> None:
    resp = await client.get(
        "/admin/v1/audit", params={"resident": ALICE}, headers=bearer("admin-token")
    )
    assert resp.status == 400
    assert "POST /admin/v1/audit/search" in (await resp.json())["detail"]
    unknown = await client.get("/admin/v1/audit", params={"x": "1"}, headers=bearer("admin-token"))
    assert unknown.status == 400


async def test_admin_search_by_resident_is_by_post_and_is_itself_audited(
    client: TestClient,
) -> None:
    await _accesses(client)
    admin = bearer("admin-token")
    resp = await client.post("/admin/v1/audit/search", json={"personal_id": BOB}, headers=admin)
    assert [e["reason"] for e in (await resp.json())["events"]] == ["case 5"]
    searches = await client.get("/admin/v1/audit", params={"type": "audit.search"}, headers=admin)
    assert [e["client_id"] for e in (await searches.json())["events"]] == ["admin-console"]


async def test_admin_endpoints_refuse_the_report_scope_and_anonymous_callers(
    client: TestClient,
) -> None:
    assert (await client.get("/admin/v1/audit")).status == 401
    forbidden = await client.get("/admin/v1/audit", headers=bearer("report-token"))
    assert forbidden.status == 403
    search = await client.post("/admin/v1/audit/search", json={}, headers=bearer("client-token"))
    assert search.status == 403


async def test_audit_commits_show_in_the_metrics(client: TestClient) -> None:
    await _accesses(client)
    text = await (await client.get("/metrics")).text()
    assert 'popgate_audit_events_total{result="committed"} 8.0' in text
    assert "popgate_audit_commit_wait_seconds_count 8.0" in text
