"""The audit log on the application: master key, checkpoint signer and writer, started, stopped."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiohttp import web

from gateway.audit.metrics import AuditMetrics
from gateway.audit.signing import Signer, load_shared_signer
from gateway.audit.writer import AuditWriter, options_from
from gateway.auditing import AUDIT
from gateway.keys import DATABASE, METRICS, SETTINGS
from schemas.settings import Settings
from store.engine import Database
from store.secretbox import SecretBox, load_master_key


@dataclass(frozen=True)
class AuditLog:
    """What the audit handlers and commands need: the database, the key box and the signer."""

    db: Database
    box: SecretBox
    signer: Signer


AUDIT_LOG = web.AppKey("audit_log", AuditLog)


def secret_box(settings: Settings) -> SecretBox:
    configured = settings.secret_key.get_secret_value() if settings.secret_key else None
    return SecretBox(load_master_key(configured, settings.data_dir))


async def checkpoint_signer(settings: Settings, db: Database, box: SecretBox) -> Signer:
    """The key that signs checkpoints and archives: one per installation, in the database."""
    return await load_shared_signer(db, box, settings.data_dir)


async def open_audit_log(settings: Settings, db: Database) -> AuditLog:
    box = secret_box(settings)
    return AuditLog(db, box, await checkpoint_signer(settings, db, box))


async def audit_ctx(app: web.Application) -> AsyncIterator[None]:
    """Start the writer after the database; on cleanup, flush, seal the segment and stop."""
    log = await open_audit_log(app[SETTINGS], app[DATABASE])
    writer = AuditWriter(
        log.db,
        log.box,
        log.signer,
        options_from(app[SETTINGS]),
        metrics=AuditMetrics(app[METRICS].registry),
    )
    await writer.start()
    app[AUDIT_LOG] = log
    app[AUDIT] = writer
    try:
        yield
    finally:
        await writer.stop()
