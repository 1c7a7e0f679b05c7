"""Request bodies: JSON only, unknown fields rejected, invalid values explained without echoing."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from gateway.bodies import read_model
from schemas.api import LookupBody
from schemas.settings import Settings
from tests.support.gateway import migrated_app

VALID = {
    "personal_id": "092190012345",
    "fields": ["full_name", "permanent_address"],
    "purpose": "UNEMPLOYMENT_BENEFIT",
    "reason": "Hồ sơ trợ cấp thất nghiệp",
}


@pytest.fixture
async def client(aiohttp_client, tmp_path: Path) -> TestClient:  # type: ignore[no-untyped-def]
    app = await migrated_app(Settings(data_dir=tmp_path))

    async def handler(request: web.Request) -> web.Response:
        body = await read_model(request, LookupBody)
        return web.json_response({"fields": list(body.fields), "id_masked": str(body.personal_id)})

    app.router.add_post("/lookup", handler)
    return await aiohttp_client(app)


async def test_valid_body_is_parsed(client: TestClient) -> None:
    resp = await client.post("/lookup", json=VALID)
    assert resp.status == 200
    assert await resp.json() == {
        "fields": ["full_name", "permanent_address"],
        "id_masked": "092*******45",
    }


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({**VALID, "salary": 1}, "salary"),
        ({**VALID, "fields": ["full_name", "shoe_size"]}, "fields.1"),
        ({**VALID, "fields": []}, "fields"),
        ({**VALID, "personal_id": "003203012345"}, "personal_id"),
        ({**VALID, "purpose": "not a code"}, "purpose"),
        ({k: v for k, v in VALID.items() if k != "reason"}, "reason"),
    ],
)
async def test_invalid_bodies_name_the_field_without_echoing(
    client: TestClient, body: dict[str, object], loc: str
) -> None:
    resp = await client.post("/lookup", json=body)
    assert resp.status == 400
    problem = await resp.json()
    assert problem["type"].endswith("/invalid-request")
    assert loc in [e["loc"] for e in problem["errors"]]
    assert "003203012345" not in await resp.text()


async def test_malformed_json_is_400(client: TestClient) -> None:
    resp = await client.post(
        "/lookup", data=b'{"personal_id": ', headers={"Content-Type": "application/json"}
    )
    assert resp.status == 400
    assert "Malformed JSON" in (await resp.json())["detail"]


async def test_non_json_content_type_is_415(client: TestClient) -> None:
    resp = await client.post("/lookup", data=b"personal_id=092190012345")
    assert resp.status == 415
