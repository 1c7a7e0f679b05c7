"""The authorization server: Authlib's `AuthorizationServer` driven from aiohttp, and the token
endpoint (RFC 6749 section 4.4, client_credentials) with replay check, throttling and audit."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import Any

from aiohttp import web
from authlib.oauth2.rfc6749 import (
    AuthorizationServer,
    InvalidClientError,
    InvalidScopeError,
    OAuth2Payload,
    OAuth2Request,
)
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant
from authlib.oauth2.rfc6749.util import scope_to_list
from multidict import MultiDictProxy

from gateway.oauth.audit_trail import record
from gateway.oauth.client_auth import (
    Client,
    PrivateKeyJwt,
    candidate_client_id,
    preload,
    query_client,
    unverified_claims,
)
from gateway.oauth.context import OAUTH, OAuth
from gateway.oauth.keys import NoSigningKey
from gateway.oauth.tokens import AccessTokenGenerator
from gateway.problems import Problem
from schemas.audit import AuditEvent, EventType, Outcome
from schemas.grants import ALL_SCOPES
from store.clients import get_client
from store.revocations import remember_assertion

AUTH_METHODS = ["client_secret_basic", "private_key_jwt"]


class FormPayload(OAuth2Payload):  # type: ignore[misc]
    def __init__(self, form: MultiDictProxy[Any]) -> None:
        self._form = form

    @property
    def data(self) -> dict[str, str]:
        return {k: v for k, v in self._form.items() if isinstance(v, str)}

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        values: defaultdict[str, list[str]] = defaultdict(list)
        for k, v in self._form.items():
            if isinstance(v, str):
                values[k].append(v)
        return values


class AiohttpOAuth2Request(OAuth2Request):  # type: ignore[misc]
    """An already-read aiohttp request, addressed by the issuer's URL (so that Authlib's https
    check follows the configured public URL: https, or http only on a loopback address)."""

    def __init__(self, request: web.Request, form: MultiDictProxy[Any], uri: str) -> None:
        super().__init__(method=request.method, uri=uri, headers=request.headers)
        self._form = form
        self.payload = FormPayload(form)
        self.assertion_jti: tuple[str, int] | None = None

    @property
    def args(self) -> dict[str, str]:
        return {}

    @property
    def form(self) -> dict[str, str]:
        return self.payload.data


class StrictClientCredentials(ClientCredentialsGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS

    def validate_requested_scope(self) -> None:
        # Authlib narrows an unallowed scope silently; the issue wants it refused.
        requested = scope_to_list(self.request.payload.scope) or []
        allowed = self.request.client.scopes
        excess = sorted(set(requested) - allowed)
        if excess:
            raise InvalidScopeError(
                description=f"Scope not allowed for this client: {' '.join(excess)}"
            )


class PopgateAuthorizationServer(AuthorizationServer):  # type: ignore[misc]
    def __init__(self, oauth: OAuth) -> None:
        super().__init__(scopes_supported=list(ALL_SCOPES))
        config = oauth.config
        self.register_grant(StrictClientCredentials)
        self.register_token_generator(
            "default",
            AccessTokenGenerator(
                oauth.keys, issuer=config.issuer, audience=config.audience, ttl=config.token_ttl
            ),
        )
        self.register_client_auth_method(
            "private_key_jwt",
            PrivateKeyJwt(
                [config.issuer, config.token_endpoint], max_lifetime=config.assertion_max_lifetime
            ),
        )

    def query_client(self, client_id: str) -> Client | None:
        return query_client(client_id)

    def create_oauth2_request(self, request: OAuth2Request) -> OAuth2Request:
        # The aiohttp handler has already read the body (asynchronously) into the request.
        if not isinstance(request, AiohttpOAuth2Request):
            raise TypeError("pass an AiohttpOAuth2Request")
        return request

    def create_json_request(self, request: Any) -> Any:
        raise TypeError("this server has no JSON endpoints driven by Authlib")

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        """JWT access tokens are self-contained: nothing to store (their audit is the record)."""

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """Audit happens in the aiohttp handler, where it can be awaited."""

    def handle_response(
        self, status: int, body: Any, headers: list[tuple[str, str]]
    ) -> tuple[int, Any, list[tuple[str, str]]]:
        return status, body, headers


OAUTH_SERVER = web.AppKey("oauth_server", PopgateAuthorizationServer)


def oauth_json(status: int, body: Any, headers: list[tuple[str, str]]) -> web.Response:
    # Authlib's headers already hold Content-Type: a plain Response, not json_response (NOTES.md).
    return web.Response(status=status, body=json.dumps(body).encode(), headers=dict(headers))


async def read_form(request: web.Request) -> MultiDictProxy[Any]:
    if request.query:
        # RFC 6749 section 3.2: parameters go in the body; credentials in a URL leak into logs.
        raise Problem(400, "invalid-request", "Invalid request", "Send parameters in the body.")
    return await request.post()


async def load_client(oauth: OAuth, client_id: str | None) -> Client | None:
    if not client_id or len(client_id) > 64:
        return None
    async with oauth.db.sessions() as session:
        row = await get_client(session, client_id)
    return None if row is None else Client(row, oauth.box)


async def authenticate(
    request: web.Request, form: MultiDictProxy[Any], endpoint: str
) -> tuple[Client | None, dict[str, Any] | None]:
    """Authenticate the calling client for introspection or revocation, throttled and audited
    like the token endpoint: the client, or an RFC 6749 error body."""
    oauth = request.app[OAUTH]
    server = request.app[OAUTH_SERVER]
    claimed = candidate_client_id(request.headers, form)
    await _throttled(request, claimed)
    preload(await load_client(oauth, claimed))
    oauth_request = AiohttpOAuth2Request(request, form, oauth.config.issuer + request.path)
    error: dict[str, Any] | None = None
    try:
        authenticated = server.authenticate_client(oauth_request, AUTH_METHODS, endpoint)
    except InvalidClientError as exc:
        error = dict(exc.get_body())
    else:
        if oauth_request.assertion_jti is not None:
            jti, exp = oauth_request.assertion_jti
            if not await _first_use(oauth, authenticated.client_id, jti, exp):
                error = {"error": "invalid_client", "error_description": "Assertion replayed."}
    if error is None:
        return authenticated, None
    oauth.throttle.failed(claimed, request.remote)
    await record(
        request,
        AuditEvent(
            type=EventType.AUTH_REFUSED,
            outcome=Outcome.DENIED,
            client_id=claimed[:64] if claimed else None,
            reason="invalid_client",
            detail=f"POST {request.path}: {error.get('error_description', '')}",
        ),
    )
    return None, error


TOKEN_HEADERS = [("Content-Type", "application/json"), ("Cache-Control", "no-store")]


async def token_management_request(
    request: web.Request, endpoint: str
) -> tuple[Client, MultiDictProxy[Any], str] | web.Response:
    """What introspection and revocation (RFC 7662, RFC 7009) both start with: an authenticated
    client and a `token` parameter; or the error answer to send instead."""
    form = await read_form(request)
    caller, error = await authenticate(request, form, endpoint)
    if caller is None:
        assert error is not None
        return oauth_json(401, error, [*TOKEN_HEADERS, ("WWW-Authenticate", "Basic")])
    token = form.get("token")
    if not isinstance(token, str) or not token:
        return oauth_json(
            400,
            {"error": "invalid_request", "error_description": "token is required"},
            TOKEN_HEADERS,
        )
    return caller, form, token


async def _throttled(request: web.Request, claimed: str | None) -> None:
    """429 once a client id or an address has failed too often (brute force on secrets)."""
    wait = request.app[OAUTH].throttle.blocked(claimed, request.remote)
    if wait is None:
        return
    await record(request, _refused(claimed, "rate_limited", f"POST {request.path}"))
    raise Problem(
        429,
        "rate-limited",
        "Too many requests",
        "Too many failed client authentications; retry later.",
        headers={"Retry-After": str(wait)},
    )


async def _first_use(oauth: OAuth, client_id: str, jti: str, exp: int) -> bool:
    async with oauth.db.sessions.begin() as session:
        return await remember_assertion(
            session, client_id, jti, dt.datetime.fromtimestamp(exp, dt.UTC)
        )


async def token_endpoint(request: web.Request) -> web.Response:
    oauth = request.app[OAUTH]
    form = await read_form(request)
    claimed = candidate_client_id(request.headers, form)
    await _throttled(request, claimed)
    if not oauth.keys.has_active():
        await oauth.keys.load()
    preload(await load_client(oauth, claimed))
    oauth_request = AiohttpOAuth2Request(request, form, oauth.config.token_endpoint)
    try:
        status, body, headers = request.app[OAUTH_SERVER].create_token_response(oauth_request)
    except NoSigningKey:
        raise Problem(503, "unavailable", "Service unavailable", "No signing key yet.") from None
    if status == 200 and oauth_request.assertion_jti is not None:
        jti, exp = oauth_request.assertion_jti
        if not await _first_use(oauth, claimed or "", jti, exp):
            status, body, headers = _error(401, "invalid_client", "The assertion was replayed.")

    if status == 200:
        await record(request, _issued(claimed, body, oauth_request))
        return oauth_json(status, body, headers)
    if body.get("error") == "invalid_client":
        status = 401  # RFC 6749 section 5.2 allows it always: one status for one error
        oauth.throttle.failed(claimed, request.remote)
    await record(
        request, _refused(claimed, body.get("error", "error"), body.get("error_description"))
    )
    return oauth_json(status, body, headers)


def _issued(client_id: str | None, body: dict[str, Any], req: AiohttpOAuth2Request) -> AuditEvent:
    jti = unverified_claims(body["access_token"]).get("jti")
    return AuditEvent(
        type=EventType.TOKEN_ISSUED,
        outcome=Outcome.OK,
        client_id=client_id,
        detail=f"jti={jti} scope={body['scope']} method={req.auth_method}",
    )


def _error(status: int, error: str, description: str) -> tuple[int, Any, list[tuple[str, str]]]:
    return (
        status,
        {"error": error, "error_description": description},
        [
            ("Content-Type", "application/json"),
            ("Cache-Control", "no-store"),
            ("Pragma", "no-cache"),
        ],
    )


def _refused(client_id: str | None, reason: str, detail: str | None) -> AuditEvent:
    return AuditEvent(
        type=EventType.TOKEN_REFUSED,
        outcome=Outcome.DENIED,
        client_id=client_id[:64] if client_id else None,
        reason=reason,
        detail=detail,
    )
