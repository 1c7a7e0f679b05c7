"""Token revocation (RFC 7009): the `jti` of a revoked access token is refused by every process.

A client may revoke its own tokens; a client holding the `admin` scope, any token. An unknown,
malformed or expired token answers 200 as section 2.2 says (there is nothing left to revoke).
"""

from __future__ import annotations

import datetime as dt

from aiohttp import web
from joserfc.errors import JoseError

from gateway.oauth.audit_trail import record
from gateway.oauth.context import OAUTH
from gateway.oauth.server import TOKEN_HEADERS, oauth_json, token_management_request
from schemas.audit import AuditEvent, EventType, Outcome
from schemas.grants import Scope

_HEADERS = TOKEN_HEADERS


async def revocation_endpoint(request: web.Request) -> web.Response:
    oauth = request.app[OAUTH]
    checked = await token_management_request(request, "revocation")
    if isinstance(checked, web.Response):
        return checked
    caller, form, token = checked
    hint = form.get("token_type_hint")
    if hint not in (None, "access_token"):
        # Section 2.2.1: this server issues no refresh tokens.
        return oauth_json(
            400,
            {"error": "unsupported_token_type", "error_description": "access tokens only"},
            _HEADERS,
        )
    await oauth.keys.refresh_for(token)
    try:
        # The signature proves we issued it; expiry does not matter for revoking.
        claims = oauth.keys.verify(token).claims
    except JoseError:
        return oauth_json(200, {}, _HEADERS)
    owner, jti, exp = str(claims.get("client_id")), claims.get("jti"), claims.get("exp")
    if owner != caller.client_id and Scope.ADMIN.value not in caller.scopes:
        # Section 2.1: a token issued to another client is refused.
        return oauth_json(
            400,
            {"error": "unauthorized_client", "error_description": "not your token"},
            _HEADERS,
        )
    if isinstance(jti, str) and isinstance(exp, int):
        expires_at = dt.datetime.fromtimestamp(exp, dt.UTC)
        if expires_at > dt.datetime.now(dt.UTC):
            await oauth.liveness.revoke(jti, owner, expires_at)
        await record(
            request,
            AuditEvent(
                type=EventType.TOKEN_REVOKED,
                outcome=Outcome.OK,
                client_id=owner,
                actor=caller.client_id,
                detail=f"jti={jti}",
            ),
        )
    return oauth_json(200, {}, _HEADERS)
