"""A writer process killed with SIGKILL loses no event it reported committed, and verify passes."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select, text

from gateway.audit.signing import load_shared_signer
from gateway.audit.verify import verify_database
from store.audit import AuditEventRow
from store.engine import Database
from store.secretbox import SecretBox, load_master_key
from tests.conftest import POSTGRES_URL

CHILD = Path(__file__).with_name("writer_child.py")
ROOT = Path(__file__).parents[3]


def _run_and_kill(args: list[str], wanted: int) -> list[int]:
    """Run the writer child until it has acknowledged `wanted` events, then SIGKILL it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, str(CHILD), *args], stdout=subprocess.PIPE, text=True, env=env
    )
    assert child.stdout is not None
    acknowledged: list[int] = []
    try:
        for line in child.stdout:
            acknowledged.append(int(line))
            if len(acknowledged) >= wanted:
                break
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    return acknowledged


async def test_killed_writer_loses_no_committed_event(database: Database, tmp_path: Path) -> None:
    if database.is_sqlite:
        args = [database.engine.url.render_as_string(hide_password=False), str(tmp_path)]
    else:
        async with database.engine.connect() as conn:
            schema = await conn.scalar(text("SELECT current_schema()"))
        args = [POSTGRES_URL, str(tmp_path), str(schema)]
    acknowledged = await asyncio.to_thread(_run_and_kill, args, 400)
    assert len(acknowledged) >= 400, "the child stopped before writing"

    async with database.engine.connect() as conn:
        reasons = set((await conn.scalars(select(AuditEventRow.reason))).all())
    assert {f"case {n}" for n in acknowledged} <= reasons

    box = SecretBox(load_master_key(None, tmp_path))
    report = await verify_database(database, await load_shared_signer(database, box, tmp_path))
    assert report.ok, report.findings
    assert report.unsealed == [1]
