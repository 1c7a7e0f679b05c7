"""Helpers for the audit suites: a running writer over a test database, and sample events."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from gateway.audit.signing import LocalSigner
from gateway.audit.writer import AuditWriter, WriterOptions
from schemas.audit import AuditEvent, EventType, Outcome
from schemas.personal_id import PersonalId
from store.engine import Database
from store.secretbox import SecretBox

ALICE = "001099012345"
BOB = "079201000123"


def new_box() -> SecretBox:
    return SecretBox(os.urandom(32))


def access(
    n: int = 0, *, resident: str | None = ALICE, client: str = "tax-office", **extra: object
) -> AuditEvent:
    values: dict[str, object] = {
        "type": EventType.DATA_ACCESS,
        "outcome": Outcome.OK,
        "client_id": client,
        "actor": "unit-7",
        "purpose": "tax.assessment",
        "reason": f"case {n}",
        "legal_basis": "Law 38/2019 art. 17",
        "resident": PersonalId(resident) if resident else None,
        "fields_returned": ("full_name", "date_of_birth"),
        "correlation_id": f"req-{n}",
    }
    values.update(extra)
    return AuditEvent.model_validate(values)


@asynccontextmanager
async def running_writer(
    db: Database,
    *,
    box: SecretBox | None = None,
    signer: LocalSigner | None = None,
    **options: float,
) -> AsyncIterator[AuditWriter]:
    writer = AuditWriter(
        db, box or new_box(), signer or LocalSigner.generate(), WriterOptions(**options)
    )
    await writer.start()
    try:
        yield writer
    finally:
        await writer.stop()
