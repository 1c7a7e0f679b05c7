"""Upstream faults reach the caller as clear problems within the deadline, never as data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from connectors.sandbox.seed import residents
from schemas.audit import EventType, Outcome
from schemas.settings import Settings
from tests.gateway.residents.conftest import GRANTED, PURPOSE
from tests.support.gateway import migrated, start_gateway
from tests.support.server import free_port


async def lookup_with_faults(tmp_path: Path, **faults: Any) -> tuple[int, dict[str, Any], Any]:
    settings = Settings(
        data_dir=tmp_path,
        port=free_port(),
        sandbox_residents=5,
        registry_timeout_seconds=0.5,
        registry_retries=0,
        **faults,
    )
    await migrated(settings)
    person = next(residents(1, settings.sandbox_seed))
    async with start_gateway(settings) as gw:
        client = await gw.client(("residents.lookup",))
        await gw.grant(client.client_id, fields=GRANTED, purposes=(PURPOSE,))
        token = await gw.token(client)
        body = {
            "personal_id": person["personal_id"],
            "fields": ["full_name"],
            "purpose": PURPOSE,
            "reason": "Kiểm tra lỗi kết nối",
        }
        async with gw.http.post(
            gw.url + "/v1/residents/lookup", json=body, headers={"Authorization": f"Bearer {token}"}
        ) as resp:
            answer = await resp.json(content_type=None)
            events = gw.audit.of(EventType.DATA_ACCESS)
            return resp.status, {**answer, "_headers": dict(resp.headers)}, events


@pytest.mark.parametrize(
    ("faults", "status", "slug"),
    [
        ({"sandbox_error_rate": 1.0}, 503, "upstream-unavailable"),
        ({"sandbox_timeout_rate": 1.0}, 504, "upstream-timeout"),
        ({"sandbox_garble_rate": 1.0}, 502, "upstream-error"),
    ],
)
async def test_upstream_fault_is_a_problem_and_is_audited(
    tmp_path: Path, faults: dict[str, float], status: int, slug: str
) -> None:
    code, body, events = await lookup_with_faults(tmp_path, **faults)
    assert code == status, body
    assert body["type"].endswith("/" + slug)
    assert "full_name" not in body
    if status == 503:
        assert body["_headers"]["Retry-After"]
    [event] = events
    assert event.outcome is Outcome.ERROR and event.fields_returned == ()
