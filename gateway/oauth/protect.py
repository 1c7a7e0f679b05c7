"""Resource protection (RFC 6750 with RFC 9068 tokens): who is calling, with which scopes.

`await require(request, "residents.lookup")` returns the `Caller` or raises a problem+json 401/403
carrying the RFC 6750 `WWW-Authenticate` header; every refusal is audited. The Bearer header is the
only accepted carrier (RFC 6750 section 2.3's query parameter is refused: URLs end up in logs).
A token's verified claims are cached until its expiry (NOTES.md: signature checks dominate the hot
path), but expiry, revocation and the client being enabled are checked on every request.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from aiohttp import web
from joserfc.errors import JoseError
from joserfc.jwt import JWTClaimsRegistry

from gateway.oauth.audit_trail import record
from gateway.oauth.context import OAUTH, TOKEN_LEEWAY_SECONDS, OAuth
from gateway.oauth.tokens import TOKEN_TYPE_HEADER
from gateway.problems import Problem
from schemas.audit import AuditEvent, EventType, Outcome

_CACHE_SIZE = 10_000


@dataclass(frozen=True)
class Caller:
    client_id: str
    scopes: frozenset[str]
    jti: str
    expires_at: dt.datetime
    claims: dict[str, Any]
    # Read with the liveness check (database path only): lets policy data come from cache.
    policy_epoch: str | None = None


class TokenInvalid(Exception):
    """The token fails verification; the message is safe to send back."""


class ClaimsCache:
    """Verified claims by token string, each kept until the token's own expiry."""

    def __init__(self, size: int = _CACHE_SIZE) -> None:
        self._size = size
        self._entries: dict[str, dict[str, Any]] = {}

    def get(self, token: str) -> dict[str, Any] | None:
        return self._entries.get(token)

    def put(self, token: str, claims: dict[str, Any]) -> None:
        if len(self._entries) >= self._size:
            now = time.time()
            self._entries = {t: c for t, c in self._entries.items() if c["exp"] > now}
            while len(self._entries) >= self._size:
                del self._entries[next(iter(self._entries))]
        self._entries[token] = claims


CLAIMS_CACHE = web.AppKey("oauth_claims_cache", ClaimsCache)


def verify_access_token(oauth: OAuth, token: str) -> dict[str, Any]:
    """Signature, `typ`, `iss`, `aud`, `exp`, `iat`: the claims, or `TokenInvalid`."""
    try:
        decoded = oauth.keys.verify(token)
    except JoseError as exc:
        raise TokenInvalid(f"The token's signature or format is invalid ({exc.error}).") from exc
    # RFC 9068 section 4: the resource server MUST check typ (Authlib accepts its absence).
    typ = str(decoded.header.get("typ", "")).lower()
    if typ not in (TOKEN_TYPE_HEADER, "application/" + TOKEN_TYPE_HEADER):
        raise TokenInvalid("The token is not an RFC 9068 access token (typ).")
    registry = JWTClaimsRegistry(
        leeway=TOKEN_LEEWAY_SECONDS,
        iss={"essential": True, "value": oauth.config.issuer},
        aud={"essential": True, "value": oauth.config.audience},
        exp={"essential": True},
        jti={"essential": True},
        client_id={"essential": True},
    )
    try:
        registry.validate(decoded.claims)
    except JoseError as exc:
        raise TokenInvalid(f"The token is not valid here: {exc.description}") from exc
    return dict(decoded.claims)


def _route(request: web.Request) -> str:
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "unmatched"


def _challenge(error: str | None, description: str | None, scope: str | None = None) -> str:
    parts = ['Bearer realm="popgate"']
    if error:
        parts.append(f'error="{error}"')
    if description:
        parts.append('error_description="{}"'.format(description.replace('"', "'")))
    if scope:
        parts.append(f'scope="{scope}"')
    return ", ".join(parts)


async def _refuse(
    request: web.Request,
    status: int,
    error: str | None,
    detail: str,
    *,
    client_id: str | None = None,
    scope: str | None = None,
) -> Problem:
    await record(
        request,
        AuditEvent(
            type=EventType.AUTH_REFUSED,
            outcome=Outcome.DENIED,
            client_id=client_id,
            reason=error or "missing_token",
            detail=f"{request.method} {_route(request)}: {detail}",
        ),
    )
    slug, title = {
        400: ("invalid-request", "Invalid request"),
        401: ("invalid-token", "Unauthorized"),
        403: ("insufficient-scope", "Forbidden"),
    }[status]
    if error is None:
        slug = "unauthorized"
    return Problem(
        status,
        slug,
        title,
        detail,
        headers={"WWW-Authenticate": _challenge(error, detail if error else None, scope)},
    )


async def _bearer(request: web.Request) -> str:
    if "access_token" in request.query:
        raise await _refuse(
            request, 400, "invalid_request", "Send the token in the Authorization header only."
        )
    header = request.headers.getall("Authorization", [])
    if not header:
        raise await _refuse(request, 401, None, "A Bearer access token is required.")
    scheme, _, token = header[0].partition(" ")
    if len(header) > 1 or scheme.lower() != "bearer" or not token.strip():
        raise await _refuse(
            request, 400, "invalid_request", "Use exactly one 'Authorization: Bearer' header."
        )
    return token.strip()


async def authenticate(request: web.Request) -> Caller:
    """The caller behind a valid Bearer token (any scope)."""
    oauth = request.app[OAUTH]
    token = await _bearer(request)
    cache = request.app[CLAIMS_CACHE]
    claims = cache.get(token)
    if claims is None:
        await oauth.keys.refresh_for(token)
        try:
            claims = verify_access_token(oauth, token)
        except TokenInvalid as exc:
            raise await _refuse(request, 401, "invalid_token", str(exc)) from None
        cache.put(token, claims)
    elif claims["exp"] + TOKEN_LEEWAY_SECONDS < time.time():
        raise await _refuse(
            request, 401, "invalid_token", "The token has expired.", client_id=claims["client_id"]
        )
    client_id = str(claims["client_id"])
    refusal, epoch = await oauth.liveness.check(str(claims["jti"]), client_id)
    if refusal is not None:
        detail = {
            "revoked": "The token has been revoked.",
            "client_disabled": "The client is disabled.",
        }[refusal]
        raise await _refuse(request, 401, "invalid_token", detail, client_id=client_id)
    return Caller(
        client_id=client_id,
        scopes=frozenset(str(claims.get("scope", "")).split()),
        jti=str(claims["jti"]),
        expires_at=dt.datetime.fromtimestamp(int(claims["exp"]), dt.UTC),
        claims=claims,
        policy_epoch=epoch,
    )


async def require(request: web.Request, scope: str) -> Caller:
    """The caller, who must hold `scope`; else 401 or 403 insufficient_scope (RFC 6750 3.1)."""
    caller = await authenticate(request)
    if scope not in caller.scopes:
        raise await _refuse(
            request,
            403,
            "insufficient_scope",
            f"This endpoint needs the scope {scope}.",
            client_id=caller.client_id,
            scope=scope,
        )
    return caller


CALLER = web.RequestKey("caller", Caller)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def requires_scope(scope: str) -> Callable[[Handler], Handler]:
    """Decorator form of `require`: the handler finds the `Caller` in `request[CALLER]`."""

    def wrap(handler: Handler) -> Handler:
        @wraps(handler)
        async def protected(request: web.Request) -> web.StreamResponse:
            request[CALLER] = await require(request, scope)
            return await handler(request)

        return protected

    return wrap
