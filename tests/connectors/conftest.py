"""A seeded sandbox registry served over real HTTP, and both connectors pointed at it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from connectors.base import PopulationRegistry
from connectors.resilience import Guard, ResiliencePolicy
from connectors.rest import RestRegistry
from connectors.sandbox.app import SandboxConfig, create_sandbox_app
from connectors.sandbox.faults import Faults
from connectors.sandbox.seed import seed_store
from connectors.sandbox.store import ResidentStore
from connectors.signing import Credentials
from connectors.soap import SoapRegistry

SEEDED = 1_500


@dataclass
class Seeded:
    url: str
    residents: dict[str, dict[str, Any]]  # personal ID -> stored resident


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    path = tmp_path_factory.mktemp("sandbox") / "sandbox.db"
    url = f"sqlite+aiosqlite:///{path}"

    async def build() -> dict[str, dict[str, Any]]:
        store = ResidentStore.open(url)
        try:
            await seed_store(store, SEEDED, seed=42)
            async with store.db.engine.connect() as conn:
                rows = await conn.exec_driver_sql("SELECT personal_id, data FROM sandbox_residents")
                return {pid: json.loads(data) for pid, data in rows}
        finally:
            await store.close()

    return Seeded(url, asyncio.run(build()))


@pytest.fixture(scope="session")
def credentials() -> Credentials:
    return Credentials.generate("sandbox-tests")


@dataclass
class Sandbox:
    url: str
    app: web.Application
    faults: Faults
    credentials: Credentials
    residents: dict[str, dict[str, Any]]

    def resident(self, index: int = 0, **where: Any) -> dict[str, Any]:
        matching = [
            r for r in self.residents.values() if all(r.get(k) == v for k, v in where.items())
        ]
        return matching[index]


@pytest.fixture
async def sandbox(
    seeded: Seeded, credentials: Credentials, tmp_path: Path
) -> AsyncIterator[Sandbox]:
    faults = Faults(hang_seconds=1.0)
    app = create_sandbox_app(
        SandboxConfig(seeded.url, credentials, faults=faults, max_body_bytes=256 * 1024)
    )
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield Sandbox(
            str(server.make_url("")).rstrip("/"), app, faults, credentials, seeded.residents
        )
    finally:
        await server.close()


def fast_policy(**overrides: Any) -> ResiliencePolicy:
    values: dict[str, Any] = {
        "connect_timeout": 1.0,
        "total_timeout": 3.0,
        "retries": 2,
        "backoff_base": 0.001,
        "backoff_max": 0.005,
        "breaker_failures": 50,
        "breaker_reset": 60.0,
        "max_concurrency": 16,
    }
    values.update(overrides)
    return ResiliencePolicy(**values)


CONNECTORS = {"rest": RestRegistry, "soap": SoapRegistry}


def build(
    kind: str, url: str, credentials: Credentials, guard: Guard | None = None
) -> RestRegistry | SoapRegistry:
    return CONNECTORS[kind](url, credentials, guard=guard or Guard(fast_policy()))


@pytest.fixture(params=sorted(CONNECTORS))
def kind(request: pytest.FixtureRequest) -> Iterator[str]:
    yield request.param


@pytest.fixture
async def registry(kind: str, sandbox: Sandbox) -> AsyncIterator[PopulationRegistry]:
    connector = build(kind, sandbox.url, sandbox.credentials)
    try:
        yield connector
    finally:
        await connector.close()
