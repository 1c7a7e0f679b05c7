"""Celery tasks for distributed digitization (`popgate worker`): one page per task.

Late acknowledgement: a task whose worker dies is delivered again. Tasks are idempotent by page
content hash: a page already stored is not recognised or stored a second time (DESIGN.md).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from celery import Celery

from ocr import ingest, pipeline
from store import records as store
from store.engine import create_database
from store.secretbox import SecretBox

TASK_NAME = "popgate.digitize_page"


def create_celery(broker_url: str, database_url: str, box: SecretBox | None = None) -> Celery:
    backend = broker_url if broker_url.startswith(("redis://", "rediss://")) else None
    app = Celery("popgate", broker=broker_url, backend=backend)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
    )

    @app.task(name=TASK_NAME, autoretry_for=(RuntimeError,), max_retries=2)  # type: ignore[untyped-decorator]
    def digitize_page(
        source: str, index: int, page_hash: str, batch_id: str | None = None
    ) -> dict[str, Any]:
        return recognise_and_store(database_url, source, index, page_hash, batch_id, box)

    return app


def recognise_and_store(
    database_url: str,
    source: str,
    index: int,
    page_hash: str,
    batch_id: str | None,
    box: SecretBox | None = None,
) -> dict[str, Any]:
    """Recognise one page into the store unless its hash is stored already (sealed with `box`,
    as `popgate digitize` stores it)."""

    async def run() -> dict[str, Any]:
        db = create_database(database_url, pool_size=1)
        try:
            async with db.sessions() as session:
                if await store.stored_pages(session, [page_hash]):
                    return {"page_hash": page_hash, "status": "already stored"}
            try:
                page = pipeline.process_page(ingest.PageRef(Path(source), index, page_hash))
            except ingest.UnreadableFile as exc:
                return {"page_hash": page_hash, "status": "failed", "reason": str(exc)}
            saved = await store.save_page(
                db.sessions, page_hash, source, index, batch_id, page.to_json(), box
            )
            return {"page_hash": page_hash, "status": "stored" if saved else "already stored"}
        finally:
            await db.dispose()

    return asyncio.run(run())
