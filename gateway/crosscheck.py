"""The digitization cross-check: a holder's ID, name and date of birth confirmed by the registry.

Each verification is a use of population data, so it is audited like a department system's
(client `popgate:digitization`, the officer as actor, purpose `DIGITIZATION`) before its answer
is used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from connectors.base import RegistryError, ResidentNotFound
from connectors.factory import create_registry
from gateway.audit.service import open_audit_log
from gateway.audit.writer import AuditWriter, options_from
from gateway.registry import credentials_from, policy_from
from ocr.validate import Verifier
from schemas.audit import AuditEvent, EventType, Outcome
from schemas.personal_id import PersonalId
from schemas.registry import VerifyRequest
from schemas.settings import Settings
from store.engine import Database

CLIENT_ID = "popgate:digitization"
PURPOSE = "DIGITIZATION"
REASON = "Số hóa kết quả giải quyết TTHC (Circular 01/2023/TT-VPCP)"


@asynccontextmanager
async def registry_verifier(
    settings: Settings, db: Database, officer: str
) -> AsyncIterator[Verifier | None]:
    """A verifier over the configured registry, or None when no registry URL is set."""
    if not settings.registry_url:
        yield None
        return
    registry = create_registry(
        settings.registry_protocol,
        settings.registry_url,
        credentials_from(settings),
        policy_from(settings),
    )
    log = await open_audit_log(settings, db)
    writer = AuditWriter(log.db, log.box, log.signer, options_from(settings), name="digitize")
    await writer.start()

    async def verify(personal_id: str, full_name: str, date_of_birth: dt.date) -> bool | None:
        pid = PersonalId(personal_id)
        answer: bool | None
        try:
            result = await registry.verify(
                VerifyRequest(personal_id=pid, full_name=full_name, date_of_birth=date_of_birth)
            )
            answer, outcome = result.match, Outcome.OK if result.found else Outcome.NOT_FOUND
        except ResidentNotFound:
            answer, outcome = False, Outcome.NOT_FOUND
        except RegistryError:
            answer, outcome = None, Outcome.ERROR  # unknown: the field keeps its own status
        await writer.record(
            AuditEvent(
                type=EventType.DATA_VERIFY,
                outcome=outcome,
                client_id=CLIENT_ID,
                actor=officer,
                purpose=PURPOSE,
                reason=REASON,
                resident=pid,
                detail={True: "match", False: "no match", None: "registry unavailable"}[answer],
            )
        )
        return answer

    try:
        yield verify
    finally:
        await writer.stop()
        await registry.close()
