"""`popgate worker`: a real Celery worker on the machine's Redis, idempotent by page hash."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import uuid
from pathlib import Path

from ocr import ingest
from ocr.tasks import TASK_NAME, create_celery
from tests.support.server import POPGATE, popgate_env

BROKER = "redis://127.0.0.1:6379/11"


def test_the_same_page_queued_twice_is_recognised_and_stored_once(
    scans: dict, tmp_path: Path
) -> None:
    data = tmp_path / "var"
    db_url = f"sqlite+aiosqlite:///{data / 'popgate.db'}"
    queue = f"popgate-test-{uuid.uuid4().hex[:8]}"
    env = popgate_env(data, {"POPGATE_CELERY_BROKER_URL": BROKER, "POPGATE_DATABASE_URL": db_url})
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [POPGATE, "worker", "--concurrency", "1", "--queues", queue],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        app = create_celery(BROKER, db_url)
        ref = ingest.open_source(scans[(11, "clean")]).pages[0]
        args = [str(ref.source), ref.index, ref.page_hash]
        first = app.send_task(TASK_NAME, args=args, queue=queue).get(timeout=180)
        second = app.send_task(TASK_NAME, args=args, queue=queue).get(timeout=180)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
    assert first == {"page_hash": ref.page_hash, "status": "stored"}
    assert second == {"page_hash": ref.page_hash, "status": "already stored"}
    with sqlite3.connect(data / "popgate.db") as conn:
        assert conn.execute("SELECT count(*) FROM digitized_pages").fetchone()[0] == 1
        (stored,) = conn.execute("SELECT result FROM digitized_pages").fetchone()
    # The worker seals the page's words like `popgate digitize` does: no personal ID in clear.
    holder = json.loads(scans[(11, "clean")].with_suffix(".json").read_text())["fields"]
    assert holder["personal_id"] not in stored and holder["full_name"] not in stored
    assert set(json.loads(stored)) == {"sealed"}
