"""Operational endpoints, correlation ids, problem+json errors and the body limit, over HTTP."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from schemas.settings import Settings
from tests.support.gateway import migrated_app


@pytest.fixture
async def client(aiohttp_client, tmp_path: Path) -> TestClient:  # type: ignore[no-untyped-def]
    settings = Settings(data_dir=tmp_path, max_body_bytes=4096)
    app = await migrated_app(settings)

    async def echo(request: web.Request) -> web.Response:
        return web.json_response(await request.json())

    app.router.add_post("/echo", echo)
    return await aiohttp_client(app)


async def test_healthz_answers_and_echoes_the_request_id(client: TestClient) -> None:
    resp = await client.get("/healthz", headers={"X-Request-Id": "case-42"})
    assert resp.status == 200
    assert await resp.json() == {"status": "ok"}
    assert resp.headers["X-Request-Id"] == "case-42"


async def test_a_request_id_is_generated_when_absent_or_unsafe(client: TestClient) -> None:
    first = (await client.get("/healthz")).headers["X-Request-Id"]
    second = (await client.get("/healthz", headers={"X-Request-Id": "bad id <script>"})).headers[
        "X-Request-Id"
    ]
    assert len(first) == 32 and first != second and " " not in second


async def test_readyz_reports_the_database(client: TestClient) -> None:
    resp = await client.get("/readyz")
    assert resp.status == 200
    assert (await resp.json())["checks"] == {"database": "ok", "registry": "ok"}


async def test_metrics_count_requests_by_route_template(client: TestClient) -> None:
    await client.get("/healthz")
    await client.get("/no/such/092203012345")
    text = await (await client.get("/metrics")).text()
    assert 'popgate_http_requests_total{method="GET",route="/healthz",status="200"} 1.0' in text
    assert 'route="unmatched",status="404"' in text
    assert "092203012345" not in text
    assert "popgate_http_request_duration_seconds_bucket" in text


async def test_unknown_route_is_problem_json_with_correlation_id(client: TestClient) -> None:
    resp = await client.get("/nowhere", headers={"X-Request-Id": "trace-1"})
    assert resp.status == 404
    assert resp.content_type == "application/problem+json"
    body = await resp.json()
    assert body["type"].endswith("/not-found")
    assert body["status"] == 404 and body["correlation_id"] == "trace-1"


async def test_wrong_method_is_405_problem_with_allow(client: TestClient) -> None:
    resp = await client.post("/healthz")
    assert resp.status == 405
    assert "GET" in resp.headers["Allow"]
    assert (await resp.json())["type"].endswith("/method-not-allowed")


async def test_oversized_body_is_refused_before_reading(client: TestClient) -> None:
    resp = await client.post("/echo", data=b"x" * 10_000)
    assert resp.status == 413
    assert (await resp.json())["type"].endswith("/body-too-large")


async def test_oversized_chunked_body_is_refused(client: TestClient) -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(10):
            yield b"{" + b" " * 1000

    resp = await client.post("/echo", data=chunks())
    assert resp.status == 413


async def test_unhandled_error_is_a_500_problem_without_details(
    aiohttp_client, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    app = await migrated_app(Settings(data_dir=tmp_path))

    async def boom(request: web.Request) -> web.Response:
        raise RuntimeError("secret detail 092203012345")

    app.router.add_get("/boom", boom)
    client = await aiohttp_client(app)
    with caplog.at_level(logging.ERROR):
        resp = await client.get("/boom")
    assert resp.status == 500
    body = await resp.json()
    assert "secret" not in json.dumps(body)
    assert body["type"].endswith("/internal-error")
