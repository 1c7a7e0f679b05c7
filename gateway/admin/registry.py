"""The administrative operations on clients, grants and keys, shared by the admin API and the CLI.

Each returns what changed; auditing and telling other processes is the caller's part. A caller
that audits before it changes (the admin API) chooses the new identifiers itself and reads what a
change would touch first (`client`, `grant`), so that the event names them.
"""

from __future__ import annotations

import datetime as dt

from gateway.oauth.client_auth import hash_secret, new_client_id, new_client_secret
from schemas.grants import ClientAuthMethod, ClientInfo, ClientSpec, Grant, GrantSpec
from store.clients import add_client, disable_client, get_client, list_clients
from store.engine import Database
from store.grants import create_grant, get_grant, list_grants, revoke_grant
from store.secretbox import SecretBox


class UnknownClient(LookupError):
    """No client has this id."""


class UnknownGrant(LookupError):
    """No grant has this id."""


async def register_client(
    db: Database, box: SecretBox, spec: ClientSpec, *, by: str, client_id: str | None = None
) -> tuple[ClientInfo, str | None]:
    """Register a client: its info, and its secret (shown once, stored only as a keyed hash)."""
    secret = None
    if spec.auth_method is ClientAuthMethod.CLIENT_SECRET_BASIC:
        secret = new_client_secret()
    async with db.sessions.begin() as session:
        row = await add_client(
            session,
            spec,
            client_id=client_id or new_client_id(),
            secret_hash=hash_secret(box, secret) if secret else None,
            by=by,
        )
        info = row.info()
    return info, secret


async def clients(db: Database) -> list[ClientInfo]:
    async with db.sessions() as session:
        return [row.info() for row in await list_clients(session)]


async def disable(db: Database, client_id: str, *, by: str) -> ClientInfo:
    async with db.sessions.begin() as session:
        row = await disable_client(session, client_id, by=by)
        if row is None:
            raise UnknownClient(client_id)
        return row.info()


async def issue_grant(
    db: Database, spec: GrantSpec, *, by: str, grant_id: str | None = None
) -> Grant:
    async with db.sessions.begin() as session:
        if await get_client(session, spec.client_id) is None:
            raise UnknownClient(spec.client_id)
        return await create_grant(session, spec, by=by, grant_id=grant_id)


async def client(db: Database, client_id: str) -> ClientInfo | None:
    async with db.sessions() as session:
        row = await get_client(session, client_id)
        return row.info() if row is not None else None


async def grant(db: Database, grant_id: str) -> Grant | None:
    async with db.sessions() as session:
        return await get_grant(session, grant_id)


async def grants(
    db: Database,
    *,
    client_id: str | None = None,
    purpose: str | None = None,
    live_only: bool = False,
) -> list[Grant]:
    async with db.sessions() as session:
        return await list_grants(
            session,
            client_id=client_id,
            purpose=purpose,
            live_at=dt.datetime.now(dt.UTC) if live_only else None,
        )


async def revoke(db: Database, grant_id: str, *, by: str, reason: str | None = None) -> Grant:
    async with db.sessions.begin() as session:
        grant = await revoke_grant(session, grant_id, by=by, reason=reason)
    if grant is None:
        raise UnknownGrant(grant_id)
    return grant
