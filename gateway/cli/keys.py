"""`popgate keys`: list and rotate the token signing keys (printing JSON)."""

from __future__ import annotations

from typing import Any

import click

from gateway.cli.admin_session import admin_session, emit
from gateway.cli.common import run
from gateway.oauth.context import OAuthConfig, retire_grace
from gateway.oauth.keys import KeyRing, new_kid


@click.group()
def keys() -> None:
    """Token signing keys (ES256, sealed at rest by the master key)."""


@keys.command("list")
def list_() -> None:
    """List keys: active, retired and still published, with their dates."""

    async def go() -> list[dict[str, Any]]:
        async with admin_session() as s:
            ring = KeyRing(
                s.db, s.box, retire_grace=retire_grace(OAuthConfig.from_settings(s.settings))
            )
            await ring.load(create=False)
            return [k.public() for k in ring.infos()]

    emit(run(go()))


@keys.command("rotate")
def rotate() -> None:
    """Start signing with a new key; the old one stays published until its tokens expire."""

    async def go() -> dict[str, Any]:
        async with admin_session() as s:
            ring = KeyRing(
                s.db, s.box, retire_grace=retire_grace(OAuthConfig.from_settings(s.settings))
            )
            kid = new_kid()  # audited before the change, like the admin API
            await s.audited(f"signing key rotated: new key {kid}")
            info = (await ring.rotate(by=s.actor, kid=kid)).public()
            return info

    emit(run(go()))
