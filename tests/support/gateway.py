"""A real gateway on a loopback port with a migrated SQLite database, its real audit writer watched
by a recording spy, and helpers to register clients and grants the way an administrator would."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
from joserfc.jwk import ECKey

from gateway.admin import registry
from gateway.app import create_app
from gateway.auditing import AUDIT, AuditSink, AuditUnavailable
from gateway.oauth.context import OAUTH, OAuth
from gateway.oauth.protect import CALLER, requires_scope
from schemas.audit import AuditEvent, EventType
from schemas.grants import ClientAuthMethod, ClientSpec, GrantSpec
from schemas.settings import Settings
from store import migrate
from store.engine import create_database


class RecordingAudit:
    """Wraps the app's real audit writer, keeping a copy of each committed event for assertions;
    `unavailable` makes it fail the way the writer does when the log cannot be written."""

    def __init__(self) -> None:
        self.events: list[AuditEvent] = []
        self.unavailable = False
        self.inner: AuditSink | None = None

    async def record(self, event: AuditEvent) -> None:
        if self.unavailable or self.inner is None:
            raise AuditUnavailable("test: the audit log is down")
        await self.inner.record(event)
        self.events.append(event)

    def of(self, kind: EventType) -> list[AuditEvent]:
        return [e for e in self.events if e.type is kind]


@dataclass
class Registered:
    client_id: str
    secret: str | None
    key: ECKey | None = None


@dataclass
class Gateway:
    url: str
    app: web.Application
    audit: RecordingAudit
    http: aiohttp.ClientSession
    counter: list[int] = field(default_factory=lambda: [0])

    @property
    def oauth(self) -> OAuth:
        return self.app[OAUTH]

    @property
    def token_url(self) -> str:
        return self.url + "/oauth/token"

    async def client(
        self,
        scopes: tuple[str, ...] = ("residents.lookup",),
        *,
        jwt: bool = False,
        default_scopes: tuple[str, ...] | None = None,
    ) -> Registered:
        self.counter[0] += 1
        key = None
        spec: dict[str, Any] = {
            "name": f"client {self.counter[0]}",
            "scopes": scopes,
            "default_scopes": default_scopes,
        }
        if jwt:
            key = ECKey.generate_key("P-256", parameters={"kid": f"k{self.counter[0]}"})
            spec |= {
                "auth_method": ClientAuthMethod.PRIVATE_KEY_JWT,
                "jwks": {"keys": [key.as_dict(private=False)]},
            }
        info, secret = await registry.register_client(
            self.oauth.db, self.oauth.box, ClientSpec(**spec), by="test"
        )
        return Registered(info.client_id, secret, key)

    async def grant(self, client_id: str, **values: Any) -> str:
        spec = GrantSpec(
            client_id=client_id,
            fields=values.pop("fields", ("full_name", "date_of_birth")),
            purposes=values.pop("purposes", ("UNEMPLOYMENT_BENEFIT",)),
            legal_basis=values.pop("legal_basis", "Luật Việc làm 2013, Điều 46"),
            **values,
        )
        return (await registry.issue_grant(self.oauth.db, spec, by="test")).grant_id

    async def token(self, who: Registered, scope: str | None = None) -> str:
        data = {"grant_type": "client_credentials"} | ({"scope": scope} if scope else {})
        auth = basic(who.client_id, who.secret or "")
        async with self.http.post(self.token_url, data=data, headers=auth) as resp:
            body = await resp.json()
            assert resp.status == 200, body
            return str(body["access_token"])


def basic(client_id: str, secret: str) -> dict[str, str]:
    pair = f"{quote(client_id)}:{quote(secret)}".encode()
    return {"Authorization": "Basic " + base64.b64encode(pair).decode()}


async def _whoami(request: web.Request) -> web.Response:
    caller = request[CALLER]
    return web.json_response({"client_id": caller.client_id, "scopes": sorted(caller.scopes)})


async def _open(request: web.Request) -> web.Response:
    return web.json_response({"client_id": None, "scopes": []})


def build_app(settings: Settings, audit: RecordingAudit) -> web.Application:
    app = create_app(settings)

    async def spy_on_the_writer(app: web.Application) -> None:
        # on_startup runs after the cleanup contexts have started the real writer.
        audit.inner = app[AUDIT]
        app[AUDIT] = audit

    app.on_startup.append(spy_on_the_writer)
    # A protected endpoint standing for the data endpoints other modules add.
    app.router.add_get("/test/whoami", requires_scope("residents.lookup")(_whoami))
    app.router.add_get("/test/open", _open)
    return app


@asynccontextmanager
async def start_gateway(settings: Settings) -> AsyncIterator[Gateway]:
    """A gateway process stand-in: its own app, server and audit sink, on `settings.port`."""
    audit = RecordingAudit()
    server = TestServer(build_app(settings, audit), host="127.0.0.1", port=settings.port)
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as http:
            yield Gateway(f"http://127.0.0.1:{settings.port}", server.app, audit, http)
    finally:
        await server.close()


async def migrated(settings: Settings) -> None:
    db = create_database(settings.resolved_database_url())
    await migrate.upgrade(db)
    await db.dispose()


async def migrated_app(settings: Settings) -> web.Application:
    """`create_app` over a migrated database, as `popgate serve` runs it."""
    await migrated(settings)
    return create_app(settings)
