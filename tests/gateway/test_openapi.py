"""The OpenAPI 3.1 document and its rendered page."""

from __future__ import annotations

from pathlib import Path

from aiohttp.test_utils import TestClient

from gateway.openapi import API_DOCUMENT, Operation
from schemas.api import LookupBody, LookupResponse
from schemas.settings import Settings
from tests.support.gateway import migrated_app


async def test_openapi_lists_declared_operations_with_schemas(
    aiohttp_client, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    app = await migrated_app(Settings(data_dir=tmp_path, public_url="https://gw.example"))
    app[API_DOCUMENT].add(
        Operation(
            "POST",
            "/v1/x",
            "Example",
            "residents",
            LookupBody,
            LookupResponse,
            "residents.lookup",
            (400, 403),
        )
    )
    client: TestClient = await aiohttp_client(app)
    doc = await (await client.get("/openapi.json")).json()
    assert doc["openapi"] == "3.1.0"
    op = doc["paths"]["/v1/x"]["post"]
    body_ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = doc["components"]["schemas"][body_ref.rsplit("/", 1)[1]]
    assert body["additionalProperties"] is False
    assert "personal_id" in body["required"]
    assert set(op["responses"]) == {"200", "400", "403"}
    flows = doc["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]
    assert flows["tokenUrl"] == "https://gw.example/oauth/token"
    page = await client.get("/docs")
    assert page.status == 200 and "/openapi.json" in await page.text()


async def test_admin_page_is_served_with_a_strict_frame_policy(
    aiohttp_client, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    client: TestClient = await aiohttp_client(await migrated_app(Settings(data_dir=tmp_path)))
    page = await client.get("/ui")
    assert page.status == 200
    text = await page.text()
    assert "/oauth/token" in text and "/v1/transparency/access-report" in text
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
