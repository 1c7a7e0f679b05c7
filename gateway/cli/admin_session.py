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

from gateway.cli.common import load_settings
from gateway.oauth.liveness import Liveness
from gateway.server import StartupError, prepare_database
from schemas.settings import Settings
from store.engine import Database, create_database
from store.secretbox import SecretBox, load_master_key


@dataclass
class AdminSession:
    settings: Settings
    db: Database
    box: SecretBox
    liveness: Liveness
    actor: str


@asynccontextmanager
async def admin_session() -> AsyncIterator[AdminSession]:
    settings = load_settings()
    try:
        await prepare_database(settings)
    except StartupError as exc:
        raise click.ClickException(str(exc)) from None
    db = create_database(settings.resolved_database_url())
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    configured = settings.secret_key.get_secret_value() if settings.secret_key else None
    box = SecretBox(load_master_key(configured, settings.data_dir))
    try:
        yield AdminSession(settings, db, box, Liveness(db, redis), "cli:" + getpass.getuser())
    finally:
        await db.dispose()
        if redis is not None:
            await redis.aclose()


def emit(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))
