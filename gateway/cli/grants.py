"""`popgate grants`: issue, list and revoke access grants (printing JSON)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import click
from pydantic import ValidationError

from gateway.admin import registry
from gateway.cli.admin_session import admin_session, emit
from gateway.cli.clients import _errors, _split
from gateway.cli.common import run
from schemas.grants import GrantSpec

_VN = dt.timezone(dt.timedelta(hours=7), "ICT")


def _when(value: str | None) -> dt.datetime | None:
    """An ISO date or datetime; a bare date is midnight in Vietnam (UTC+7)."""
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO date") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=_VN)


@click.group()
def grants() -> None:
    """Access grants: fields x purposes x legal basis for one client."""


@grants.command("create")
@click.option("--client", "client_id", required=True, help="The client_id.")
@click.option("--fields", required=True, help="Catalogue field names, comma-separated.")
@click.option("--purposes", required=True, help="Purpose codes, comma-separated.")
@click.option("--legal-basis", required=True, help="The article of law relied on.")
@click.option("--valid-from", help="ISO date or datetime [default: now].")
@click.option("--valid-until", help="ISO date or datetime [default: open-ended].")
@click.option("--daily-quota", type=click.IntRange(min=1), help="Lookups a day.")
@click.option(
    "--disclosure-delay-days",
    type=click.IntRange(min=1),
    help="Keep accesses out of residents' access reports for this many days (investigations).",
)
def create(
    client_id: str,
    fields: str,
    purposes: str,
    legal_basis: str,
    valid_from: str | None,
    valid_until: str | None,
    daily_quota: int | None,
    disclosure_delay_days: int | None,
) -> None:
    """Issue a grant (immutable: to change it, revoke it and issue another)."""
    try:
        spec = GrantSpec(
            client_id=client_id,
            fields=_split(fields) or (),
            purposes=_split(purposes) or (),
            legal_basis=legal_basis,
            valid_from=_when(valid_from),
            valid_until=_when(valid_until),
            daily_quota=daily_quota,
            disclosure_delay=dt.timedelta(days=disclosure_delay_days)
            if disclosure_delay_days
            else None,
        )
    except ValidationError as exc:
        raise click.ClickException(_errors(exc)) from None

    async def go() -> dict[str, Any]:
        async with admin_session() as s:
            if await registry.client(s.db, spec.client_id) is None:
                raise click.ClickException(f"no client {client_id}")
            grant_id = str(uuid.uuid4())  # audited before the change, like the admin API
            await s.audited(
                "grant issued",
                client_id=spec.client_id,
                grant_id=grant_id,
                legal_basis=spec.legal_basis,
            )
            try:
                grant = await registry.issue_grant(s.db, spec, by=s.actor, grant_id=grant_id)
            except registry.UnknownClient:
                raise click.ClickException(f"no client {client_id}") from None
            return grant.model_dump(mode="json")

    emit(run(go()))


@grants.command("list")
@click.option("--client", "client_id", help="Only this client's grants.")
@click.option("--purpose", help="Only grants allowing this purpose.")
@click.option("--live", is_flag=True, help="Only grants usable now.")
def list_(client_id: str | None, purpose: str | None, live: bool) -> None:
    """List grants, oldest first."""

    async def go() -> list[dict[str, Any]]:
        async with admin_session() as s:
            items = await registry.grants(
                s.db, client_id=client_id, purpose=purpose, live_only=live
            )
            return [g.model_dump(mode="json") for g in items]

    emit(run(go()))


@grants.command("revoke")
@click.argument("grant_id")
@click.option("--reason", help="Why (kept with the grant).")
def revoke(grant_id: str, reason: str | None) -> None:
    """Revoke a grant; it stops counting on the next request."""

    async def go() -> dict[str, Any]:
        async with admin_session() as s:
            existing = await registry.grant(s.db, grant_id)
            if existing is None:
                raise click.ClickException(f"no grant {grant_id}")
            await s.audited(
                f"grant revoked: {reason or 'no reason given'}",
                client_id=existing.client_id,
                grant_id=grant_id,
            )
            try:
                grant = await registry.revoke(s.db, grant_id, by=s.actor, reason=reason)
            except registry.UnknownGrant:
                raise click.ClickException(f"no grant {grant_id}") from None
            return grant.model_dump(mode="json")

    emit(run(go()))
