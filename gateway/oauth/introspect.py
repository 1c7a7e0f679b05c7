"""Token introspection (RFC 7662): is this access token active, and what does it carry.

Callers authenticate like at the token endpoint. A client may introspect its own tokens; a client
holding the `admin` scope, any token. Anything else answers `{"active": false}` (section 2.2).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from gateway.oauth.context import OAUTH
from gateway.oauth.protect import TokenInvalid, verify_access_token
from gateway.oauth.server import TOKEN_HEADERS, oauth_json, token_management_request
from schemas.grants import Scope

_HEADERS = TOKEN_HEADERS
_INACTIVE: dict[str, Any] = {"active": False}


async def introspection_endpoint(request: web.Request) -> web.Response:
    oauth = request.app[OAUTH]
    checked = await token_management_request(request, "introspection")
    if isinstance(checked, web.Response):
        return checked
    caller, _, token = checked
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
