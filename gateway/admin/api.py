"""Admin API `/admin/v1/...` for clients, grants and signing keys: `admin` scope only, every
change audited. Administrators are OAuth clients holding the `admin` scope (one mechanism,
machine-friendly).

Each change is audited *before* it is made, with the identifiers it will carry chosen first: when
the log cannot be written the answer is 503 and nothing changed. (Audit inside the change's own
transaction cannot work on SQLite, whose single writer lock the audit writer would wait on.)
A change that then fails leaves an event for an attempt: the log over-reports, never under."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from gateway.admin import registry
from gateway.bodies import parse_model
from gateway.oauth.audit_trail import record
from gateway.oauth.client_auth import new_client_id
from gateway.oauth.context import OAUTH
from gateway.oauth.keys import new_kid
from gateway.oauth.protect import CALLER, Caller, requires_scope
from gateway.problems import bad_request, not_found
from schemas.audit import AuditEvent, EventType, Outcome
from schemas.grants import ClientSpec, GrantSpec, Scope

routes = web.RouteTableDef()
M = TypeVar("M", bound=BaseModel)
ADMIN = Scope.ADMIN.value


class RevokeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str | None = Field(None, max_length=1000)


async def _body(request: web.Request, model: type[M], *, optional: bool = False) -> M:
    raw = await request.read()
    if optional and not raw.strip():
        return model()
    return parse_model(model, raw)


async def _audit(request: web.Request, detail: str, **fields: Any) -> None:
    caller: Caller = request[CALLER]
    await record(
        request,
        AuditEvent(
            type=EventType.ADMIN_CHANGE,
            outcome=Outcome.OK,
            actor=caller.client_id,
            detail=detail,
            **fields,
        ),
    )


def _actor(request: web.Request) -> str:
    caller: Caller = request[CALLER]
    return "client:" + caller.client_id


@routes.get("/admin/v1/clients")
@requires_scope(ADMIN)
async def list_clients(request: web.Request) -> web.Response:
    items = await registry.clients(request.app[OAUTH].db)
    return web.json_response({"clients": [c.model_dump(mode="json") for c in items]})


@routes.post("/admin/v1/clients")
@requires_scope(ADMIN)
async def create_client(request: web.Request) -> web.Response:
    spec = await _body(request, ClientSpec)
    oauth = request.app[OAUTH]
    client_id = new_client_id()
    await _audit(
        request,
        f"client created: {spec.name} ({spec.auth_method}, scopes {' '.join(spec.scopes)})",
        client_id=client_id,
    )
    info, secret = await registry.register_client(
        oauth.db, oauth.box, spec, by=_actor(request), client_id=client_id
    )
    body = info.model_dump(mode="json")
    if secret is not None:
        body["client_secret"] = secret
    return web.json_response(body, status=201, headers={"Cache-Control": "no-store"})


@routes.post("/admin/v1/clients/{client_id}/disable")
@requires_scope(ADMIN)
async def disable_client(request: web.Request) -> web.Response:
    oauth = request.app[OAUTH]
    client_id = request.match_info["client_id"]
    if await registry.client(oauth.db, client_id) is None:
        raise not_found("No client has this id.")
    await _audit(request, "client disabled", client_id=client_id)
    try:
        info = await registry.disable(oauth.db, client_id, by=_actor(request))
    except registry.UnknownClient:
        raise not_found("No client has this id.") from None
    await oauth.liveness.client_disabled(client_id)
    return web.json_response(info.model_dump(mode="json"))


@routes.get("/admin/v1/grants")
@requires_scope(ADMIN)
async def list_grants(request: web.Request) -> web.Response:
    query = request.query
    items = await registry.grants(
        request.app[OAUTH].db,
        client_id=query.get("client_id"),
        purpose=query.get("purpose"),
        live_only=query.get("live", "").lower() in ("1", "true", "yes"),
    )
    return web.json_response({"grants": [g.model_dump(mode="json") for g in items]})


@routes.post("/admin/v1/grants")
@requires_scope(ADMIN)
async def create_grant(request: web.Request) -> web.Response:
    spec = await _body(request, GrantSpec)
    db = request.app[OAUTH].db
    if await registry.client(db, spec.client_id) is None:
        raise bad_request("No client has this client_id.")
    grant_id = str(uuid.uuid4())
    await _audit(
        request,
        f"grant issued: fields {' '.join(spec.fields)}; purposes {' '.join(spec.purposes)}",
        client_id=spec.client_id,
        grant_id=grant_id,
        legal_basis=spec.legal_basis,
    )
    try:
        grant = await registry.issue_grant(db, spec, by=_actor(request), grant_id=grant_id)
    except registry.UnknownClient:
        raise bad_request("No client has this client_id.") from None
    return web.json_response(grant.model_dump(mode="json"), status=201)


@routes.post("/admin/v1/grants/{grant_id}/revoke")
@requires_scope(ADMIN)
async def revoke_grant(request: web.Request) -> web.Response:
    body = await _body(request, RevokeBody, optional=True)
    grant_id = request.match_info["grant_id"]
    db = request.app[OAUTH].db
    existing = await registry.grant(db, grant_id)
    if existing is None:
        raise not_found("No grant has this id.")
    await _audit(
        request,
        f"grant revoked: {body.reason or 'no reason given'}",
        client_id=existing.client_id,
        grant_id=grant_id,
    )
    try:
        grant = await registry.revoke(db, grant_id, by=_actor(request), reason=body.reason)
    except registry.UnknownGrant:
        raise not_found("No grant has this id.") from None
    return web.json_response(grant.model_dump(mode="json"))


@routes.get("/admin/v1/keys")
@requires_scope(ADMIN)
async def list_keys(request: web.Request) -> web.Response:
    keys = request.app[OAUTH].keys
    await keys.load(create=False)
    return web.json_response({"keys": [k.public() for k in keys.infos()]})


@routes.post("/admin/v1/keys/rotate")
@requires_scope(ADMIN)
async def rotate_keys(request: web.Request) -> web.Response:
    kid = new_kid()
    await _audit(request, f"signing key rotated: new kid {kid}")
    info = await request.app[OAUTH].keys.rotate(by=_actor(request), kid=kid)
    return web.json_response(info.public(), status=201)
