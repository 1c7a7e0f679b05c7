"""A gateway with the in-process sandbox registry, a department client and its grant."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from connectors.sandbox.seed import residents
from schemas.settings import Settings
from tests.support.gateway import Gateway, Registered, migrated, start_gateway
from tests.support.server import free_port

SEEDED = 60
PURPOSE = "UNEMPLOYMENT_BENEFIT"
GRANTED = ("full_name", "personal_id", "date_of_birth", "sex", "permanent_address")


@dataclass
class Desk:
    """The unemployment-benefit desk: a client with a grant, and a token."""

    gateway: Gateway
    client: Registered
    grant_id: str
    token: str
    people: list[dict[str, Any]]

    async def post(self, path: str, body: Any, token: str | None = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token or self.token}"}
        async with self.gateway.http.post(
            self.gateway.url + path, json=body, headers=headers
        ) as resp:
            return resp.status, await resp.json(content_type=None)

    def lookup(self, person: dict[str, Any], fields: list[str], **extra: Any) -> dict[str, Any]:
        return {
            "personal_id": person["personal_id"],
            "fields": fields,
            "purpose": PURPOSE,
            "reason": "Xét hồ sơ trợ cấp thất nghiệp",
            **extra,
        }


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[Desk]:
    settings = Settings(
        data_dir=tmp_path, port=free_port(), sandbox_residents=SEEDED, rate_limit="1000/second"
    )
    await migrated(settings)
    async with start_gateway(settings) as gw:
        client = await gw.client(("residents.lookup", "residents.verify"))
        grant_id = await gw.grant(client.client_id, fields=GRANTED, purposes=(PURPOSE,))
        token = await gw.token(client)
        people = [p for p in residents(SEEDED, settings.sandbox_seed)]
        yield Desk(gw, client, grant_id, token, people)
