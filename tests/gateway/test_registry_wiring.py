"""`popgate serve` with no registry URL runs the sandbox in-process and reaches it by connector."""

from __future__ import annotations

import asyncio
import json
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from connectors.rest import RestRegistry
from connectors.sandbox.credentials import load_or_create
from connectors.sandbox.seed import residents
from connectors.signing import Credentials
from gateway.registry import REGISTRY, REGISTRY_ENDPOINT
from schemas.registry import LookupRequest, VerifyRequest
from schemas.settings import Settings
from tests.support.gateway import migrated_app
from tests.support.server import POPGATE, free_port, popgate_env, running


@pytest.mark.parametrize("protocol", ["rest", "soap"])
async def test_the_app_reads_the_in_process_sandbox(
    aiohttp_client,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    protocol: str,
) -> None:
    settings = Settings(data_dir=tmp_path, registry_protocol=protocol, sandbox_residents=500)
    app = await migrated_app(settings)
    client: TestClient = await aiohttp_client(app)
    ready = await client.get("/readyz")
    assert ready.status == 200 and (await ready.json())["checks"]["registry"] == "ok"
    assert app[REGISTRY_ENDPOINT].in_process_sandbox
    person = next(residents(1, seed=settings.sandbox_seed))
    result = await app[REGISTRY].lookup(
        LookupRequest(
            personal_id=person["personal_id"],
            fields=["full_name", "household"],
            purpose="TEST",
            reason="wiring",
            requesting_unit="unit",
        )
    )
    assert result.fields == {"full_name": person["full_name"], "household": person["household"]}
    assert (tmp_path / "sandbox.db").exists()
    assert (tmp_path / "registry-credentials.json").stat().st_mode & 0o077 == 0


def test_serve_without_a_registry_reports_it_ready_and_prints_the_wsdl(tmp_path: Path) -> None:
    with running(["serve"], tmp_path, ready_path="/readyz") as server:
        with urllib.request.urlopen(server.url + "/readyz", timeout=5) as resp:  # noqa: S310
            assert json.loads(resp.read())["checks"]["registry"] == "ok"
    assert "/soap?wsdl" in server.log()


def test_a_registry_url_without_credentials_is_a_clear_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [POPGATE, "serve", "--port", str(free_port())],
        env=popgate_env(tmp_path, {"POPGATE_REGISTRY_URL": "http://127.0.0.1:9"}),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode != 0
    assert "POPGATE_REGISTRY_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


async def _verify_over_rest(url: str, credentials: Credentials, person: dict[str, Any]) -> bool:
    connector = RestRegistry(url, credentials)
    try:
        verdict = await connector.verify(
            VerifyRequest(
                personal_id=person["personal_id"],
                full_name=person["full_name"],
                date_of_birth=person["date_of_birth"],
            )
        )
    finally:
        await connector.close()
    return verdict.match


def test_sandbox_commands_seed_and_serve(tmp_path: Path) -> None:
    seeded = subprocess.run(
        [POPGATE, "sandbox", "seed", "--residents", "300", "--seed", "9"],
        env=popgate_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert seeded.returncode == 0 and "seeded 300 residents" in seeded.stdout
    person = list(residents(300, seed=9))[-1]
    with running(["sandbox", "serve"], tmp_path) as server:
        assert asyncio.run(_verify_over_rest(server.url, load_or_create(tmp_path), person))
    assert f"{server.url}/soap?wsdl" in server.log()
