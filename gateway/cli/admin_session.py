"""What the admin commands share: settings, a migrated database, the master key, the actor's name,
and JSON output."""

from __future__ import annotations

import getpass
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import click
from redis.asyncio import Redis

from gateway.audit.service import open_audit_log
from gateway.audit.writer import AuditWriter, options_from
from gateway.cli.common import load_settings
from gateway.oauth.liveness import Liveness
from gateway.server import StartupError, prepare_database
from schemas.audit import AuditEvent, EventType, Outcome
from schemas.settings import Settings
from store.engine import Database, create_database
from store.secretbox import SecretBox


@dataclass
class AdminSession:
    settings: Settings
    db: Database
    box: SecretBox
    liveness: Liveness
    actor: str
    audit: AuditWriter

    async def audited(self, detail: str, **fields: Any) -> None:
        """Record an admin change in the audit log, before the change is made: a change whose
        event cannot be committed is not made."""
        await self.audit.record(
            AuditEvent(
                type=EventType.ADMIN_CHANGE,
                outcome=Outcome.OK,
                actor=self.actor,
                detail=detail,
                **fields,
            )
        )


@asynccontextmanager
async def admin_session() -> AsyncIterator[AdminSession]:
    settings = load_settings()
    try:
        await prepare_database(settings)
    except StartupError as exc:
        raise click.ClickException(str(exc)) from None
    db = create_database(settings.resolved_database_url())
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    log = await open_audit_log(settings, db)
    writer = AuditWriter(log.db, log.box, log.signer, options_from(settings), name="cli")
    await writer.start()
    try:
        yield AdminSession(
            settings, db, log.box, Liveness(db, redis), "cli:" + getpass.getuser(), writer
        )
    finally:
        await writer.stop()
        await db.dispose()
        if redis is not None:
            await redis.aclose()


def emit(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))
