"""Token introspection (RFC 7662): is this access token active, and what does it carry.

Callers authenticate like at the token endpoint. A client may introspect its own tokens; a client
holding the `admin` scope, any token. Anything else answers `{"active": false}` (section 2.2).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from gateway.oauth.context import OAUTH
from gateway.oauth.protect import TokenInvalid, verify_access_token
from gateway.oauth.server import authenticate, oauth_json, read_form
from schemas.grants import Scope

_HEADERS = [("Content-Type", "application/json"), ("Cache-Control", "no-store")]
_INACTIVE: dict[str, Any] = {"active": False}


async def introspection_endpoint(request: web.Request) -> web.Response:
    oauth = request.app[OAUTH]
    form = await read_form(request)
    caller, error = await authenticate(request, form, "introspection")
    if caller is None:
        assert error is not None
        return oauth_json(401, error, [*_HEADERS, ("WWW-Authenticate", "Basic")])
    token = form.get("token")
    if not isinstance(token, str) or not token:
        return oauth_json(
            400, {"error": "invalid_request", "error_description": "token is required"}, _HEADERS
        )
    await oauth.keys.refresh_for(token)
    try:
        claims = verify_access_token(oauth, token)
    except TokenInvalid:
        return oauth_json(200, _INACTIVE, _HEADERS)
    owner = str(claims["client_id"])
    if owner != caller.client_id and Scope.ADMIN.value not in caller.scopes:
        return oauth_json(200, _INACTIVE, _HEADERS)
    if await oauth.liveness.refusal(str(claims["jti"]), owner) is not None:
        return oauth_json(200, _INACTIVE, _HEADERS)
    body = {"active": True, "token_type": "Bearer"} | {
        k: claims[k]
        for k in ("scope", "client_id", "sub", "iss", "aud", "exp", "iat", "jti")
        if k in claims
    }
    return oauth_json(200, body, _HEADERS)
