"""Fixtures of the OAuth suite: a gateway per test (see tests/support/gateway.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from schemas.settings import Settings
from tests.support.gateway import Gateway, migrated, start_gateway
from tests.support.server import free_port


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[Gateway]:
    settings = Settings(
        data_dir=tmp_path, port=free_port(), token_failure_limit="5/minute", sandbox_residents=100
    )
    await migrated(settings)
    async with start_gateway(settings) as gw:
        yield gw
