"""The sandbox's REST face refuses bad input with Client.InvalidRequest and never echoes an ID."""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from connectors.signing import sign
from tests.connectors.conftest import Sandbox


async def post(sandbox: Sandbox, path: str, body: bytes) -> tuple[int, dict[str, Any], str]:
    headers = sign(sandbox.credentials, "POST", path, body)
    headers["Content-Type"] = "application/json"
    async with aiohttp.ClientSession() as session:
        async with session.post(sandbox.url + path, data=body, headers=headers) as resp:
            return resp.status, await resp.json(), resp.headers.get("X-Road-Error", "")


def lookup_body(personal_id: str, fields: list[str]) -> bytes:
    return json.dumps(
        {
            "personal_id": personal_id,
            "fields": fields,
            "purpose": "TEST",
            "reason": "kiểm tra",
            "requesting_unit": "unit",
        }
    ).encode()


async def test_unknown_fields_are_refused(sandbox: Sandbox) -> None:
    pid = sandbox.resident(0)["personal_id"]
    status, answer, header = await post(
        sandbox, "/v1/residents:lookup", lookup_body(pid, ["full_name", "salary"])
    )
    assert status == 400 and header == "Client.InvalidRequest"
    assert answer["type"] == "Client.InvalidRequest" and "salary" in answer["message"]


async def test_a_malformed_id_is_refused_without_echo(sandbox: Sandbox) -> None:
    status, answer, _ = await post(
        sandbox, "/v1/residents:lookup", lookup_body("09219900000", ["full_name"])
    )
    assert status == 400 and "09219900000" not in json.dumps(answer)


async def test_malformed_json_is_refused(sandbox: Sandbox) -> None:
    status, answer, _ = await post(sandbox, "/v1/residents:verify", b'{"personal_id": ')
    assert status == 400 and answer["type"] == "Client.InvalidRequest"


async def test_a_lookup_without_a_reason_is_refused(sandbox: Sandbox) -> None:
    body = json.loads(lookup_body(sandbox.resident(0)["personal_id"], ["sex"]))
    body["reason"] = ""
    status, answer, _ = await post(sandbox, "/v1/residents:lookup", json.dumps(body).encode())
    assert status == 400 and "reason" in answer["message"]


async def test_a_batch_over_1000_is_refused(sandbox: Sandbox) -> None:
    item = {"personal_id": "092199000000", "full_name": "A", "date_of_birth": "1999-01-01"}
    body = json.dumps({"requests": [item] * 1001}).encode()
    status, answer, _ = await post(sandbox, "/v1/residents:verify-batch", body)
    assert status == 400 and "requests" in answer["message"]


async def test_an_oversized_body_is_refused(sandbox: Sandbox) -> None:
    item = {"personal_id": "092199000000", "full_name": "A" * 150, "date_of_birth": "1999-01-01"}
    body = json.dumps({"requests": [item] * 1500}).encode()
    status, answer, _ = await post(sandbox, "/v1/residents:verify-batch", body)
    assert status == 413 and answer["type"] == "Client.InvalidRequest"


async def test_the_openapi_document_is_served(sandbox: Sandbox) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(sandbox.url + "/openapi.json") as resp:
            document = await resp.json()
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == {
        "/v1/residents:lookup",
        "/v1/residents:verify",
        "/v1/residents:verify-batch",
    }
