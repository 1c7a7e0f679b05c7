"""`popgate clients`: register, list and disable OAuth clients (printing JSON)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from gateway.admin import registry
from gateway.cli.admin_session import admin_session, emit
from gateway.cli.common import run
from gateway.oauth.client_auth import new_client_id
from schemas.grants import ALL_SCOPES, ClientAuthMethod, ClientSpec


@click.group()
def clients() -> None:
    """OAuth clients (department systems)."""


def _split(value: str | None) -> tuple[str, ...] | None:
    return None if value is None else tuple(v for v in value.replace(",", " ").split() if v)


@clients.command("create")
@click.argument("name")
@click.option(
    "--auth",
    "auth_method",
    type=click.Choice([m.value for m in ClientAuthMethod]),
    default=ClientAuthMethod.CLIENT_SECRET_BASIC.value,
    show_default=True,
)
@click.option(
    "--jwks",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Public JWK Set file (private_key_jwt).",
)
@click.option("--scopes", help=f"Allowed scopes, comma-separated: {', '.join(ALL_SCOPES)}.")
@click.option("--default-scopes", help="Scopes of a token request naming none.")
def create(
    name: str,
    auth_method: str,
    jwks: Path | None,
    scopes: str | None,
    default_scopes: str | None,
) -> None:
    """Register a client; prints its client_id and, this once, its client_secret."""
    values: dict[str, Any] = {"name": name, "auth_method": auth_method}
    if jwks is not None:
        try:
            values["jwks"] = json.loads(jwks.read_text())
        except ValueError:
            raise click.ClickException(f"{jwks} is not JSON") from None
    if scopes is not None:
        values["scopes"] = _split(scopes)
    if default_scopes is not None:
        values["default_scopes"] = _split(default_scopes)
    try:
        spec = ClientSpec.model_validate(values)
    except ValidationError as exc:
        raise click.ClickException(_errors(exc)) from None

    async def go() -> dict[str, Any]:
        async with admin_session() as s:
            client_id = new_client_id()  # audited before the change, like the admin API
            await s.audited(f"client registered: {spec.name}", client_id=client_id)
            info, secret = await registry.register_client(
                s.db, s.box, spec, by=s.actor, client_id=client_id
            )
        out = info.model_dump(mode="json")
        if secret is not None:
            out["client_secret"] = secret
        return out

    emit(run(go()))


@clients.command("list")
def list_() -> None:
    """List clients (never their secrets)."""

    async def go() -> list[dict[str, Any]]:
        async with admin_session() as s:
            return [c.model_dump(mode="json") for c in await registry.clients(s.db)]

    emit(run(go()))


@clients.command("disable")
@click.argument("client_id")
def disable(client_id: str) -> None:
    """Disable a client: no new tokens, and its current tokens are refused on the next request."""

    async def go() -> dict[str, Any]:
        async with admin_session() as s:
            if await registry.client(s.db, client_id) is None:
                raise click.ClickException(f"no client {client_id}")
            await s.audited("client disabled", client_id=client_id)
            try:
                info = await registry.disable(s.db, client_id, by=s.actor)
            except registry.UnknownClient:
                raise click.ClickException(f"no client {client_id}") from None
            await s.liveness.client_disabled(client_id)
            return info.model_dump(mode="json")

    emit(run(go()))


def _errors(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'input'}: {e['msg']}" for e in exc.errors())
