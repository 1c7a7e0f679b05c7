"""Digitized records made once per module by the real pipeline (real Tesseract) on two synthetic
pages, and a gateway per test serving a fresh copy of that data directory."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from gateway.server import prepare_database
from ocr import synth
from ocr.runner import BatchOptions, BatchSummary, run_batch
from ocr.signing import HmacRecordSigner
from schemas.settings import Settings
from store.engine import create_database
from store.secretbox import SecretBox, load_master_key
from tests.support.gateway import Gateway, Registered, start_gateway
from tests.support.server import free_port

OFFICER = "Lê Văn Số"
PURPOSE = "ARCHIVE_LOOKUP"
REASON = "Tra cứu hồ sơ lưu trữ"


@dataclass(frozen=True)
class Digitized:
    """A data directory holding two records: `clean` read as is, `declared` digitized in a batch
    declaring another document type than the page shows, so its type field is in review."""

    data_dir: Path
    clean: dict[str, Any]  # ground truth of the clean page
    declared: dict[str, Any]
    batches: tuple[BatchSummary, BatchSummary]


async def _digitize(data_dir: Path, clean: Path, declared: Path, wrong_type: str) -> tuple:
    settings = Settings(data_dir=data_dir)
    await prepare_database(settings)
    db = create_database(settings.resolved_database_url())
    box = SecretBox(load_master_key(None, data_dir))
    try:
        first = await run_batch(
            db,
            [clean],
            BatchOptions(workers=1, officer=OFFICER),
            signer=HmacRecordSigner(box),
            box=box,
        )
        second = await run_batch(
            db,
            [declared],
            BatchOptions(workers=1, officer=OFFICER, doc_type=wrong_type),
            signer=HmacRecordSigner(box),
            box=box,
        )
    finally:
        await db.dispose()
    return first, second


@pytest.fixture(scope="module")
def digitized(tmp_path_factory: pytest.TempPathFactory) -> Digitized:
    os.environ["OMP_THREAD_LIMIT"] = "1"
    scans = tmp_path_factory.mktemp("scans")
    clean = synth.write_page(scans / "a", 11, "clean", doc_type="decision")
    declared = synth.write_page(scans / "b", 12, "clean", doc_type="certificate")
    data_dir = tmp_path_factory.mktemp("data")
    batches = asyncio.run(_digitize(data_dir, clean, declared, "extract"))
    return Digitized(
        data_dir,
        json.loads(clean.with_suffix(".json").read_text())["fields"],
        json.loads(declared.with_suffix(".json").read_text())["fields"],
        batches,
    )


@dataclass
class Archive:
    """A gateway over a copy of the digitized data, and a digitization-staff client."""

    gateway: Gateway
    client: Registered
    token: str
    data: Digitized

    def headers(self, token: str | None = None, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.token}", **extra}

    async def post(self, path: str, body: Any, token: str | None = None) -> tuple[int, Any]:
        async with self.gateway.http.post(
            self.gateway.url + path, json=body, headers=self.headers(token)
        ) as resp:
            return resp.status, await resp.json(content_type=None)

    async def get(
        self, path: str, headers: dict[str, str] | None = None, token: str | None = None
    ) -> tuple[int, Any]:
        sent = self.headers(token) | (headers if headers is not None else self.purpose())
        async with self.gateway.http.get(self.gateway.url + path, headers=sent) as resp:
            return resp.status, await resp.json(content_type=None)

    @staticmethod
    def purpose() -> dict[str, str]:
        return {"X-Purpose": PURPOSE, "X-Reason": quote(REASON)}


@pytest.fixture
async def archive(digitized: Digitized, tmp_path: Path) -> AsyncIterator[Archive]:
    data_dir = tmp_path / "data"
    shutil.copytree(digitized.data_dir, data_dir)
    settings = Settings(data_dir=data_dir, port=free_port(), rate_limit="1000/second")
    async with start_gateway(settings) as gw:
        client = await gw.client(("records.read",))
        await gw.grant(
            client.client_id,
            fields=("full_name", "personal_id", "date_of_birth"),
            purposes=(PURPOSE,),
            legal_basis="Nghị định 45/2020/NĐ-CP, Điều 25 (kết quả giải quyết TTHC điện tử)",
        )
        yield Archive(gw, client, await gw.token(client), digitized)
