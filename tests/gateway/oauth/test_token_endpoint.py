"""The token endpoint with real third-party OAuth clients; tokens checked against the JWKS."""

from __future__ import annotations

import asyncio
import time

import pytest
from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet
from oauthlib.oauth2 import BackendApplicationClient
from requests_oauthlib import OAuth2Session as RequestsOAuthlibSession

from schemas.audit import EventType, Outcome
from tests.support.gateway import Gateway, basic


async def _published_keys(gw: Gateway) -> KeySet:
    async with gw.http.get(gw.url + "/oauth/jwks") as resp:
        assert resp.status == 200
        assert resp.content_type == "application/jwk-set+json"
        return KeySet.import_key_set(await resp.json())


async def test_authlib_async_client_gets_an_rfc9068_token_verifiable_with_the_jwks(
    gateway: Gateway,
) -> None:
    who = await gateway.client(("residents.lookup", "residents.verify"))
    async with AsyncOAuth2Client(who.client_id, who.secret, scope="residents.lookup") as client:
        token = await client.fetch_token(gateway.token_url, grant_type="client_credentials")
    assert token["token_type"] == "Bearer" and token["expires_in"] == 300
    assert token["scope"] == "residents.lookup"
    decoded = jwt.decode(
        token["access_token"], await _published_keys(gateway), algorithms=["ES256"]
    )
    assert decoded.header["typ"] == "at+jwt" and decoded.header["alg"] == "ES256"
    claims = decoded.claims
    assert claims["iss"] == gateway.url and claims["aud"] == gateway.url
    assert claims["sub"] == claims["client_id"] == who.client_id
    assert claims["scope"] == "residents.lookup"
    assert claims["exp"] - claims["iat"] == 300 and abs(claims["iat"] - time.time()) < 60
    assert len(claims["jti"]) >= 16
    issued = gateway.audit.of(EventType.TOKEN_ISSUED)
    assert [e.client_id for e in issued] == [who.client_id] and issued[0].outcome is Outcome.OK


async def test_authlib_sync_session_and_requests_oauthlib_obtain_tokens(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    # oauthlib refuses http:// unless told: the test server is plain http on loopback.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    who = await gateway.client(("residents.lookup", "records.read"))

    def with_authlib() -> dict[str, object]:
        with OAuth2Session(who.client_id, who.secret) as session:
            return dict(session.fetch_token(gateway.token_url, grant_type="client_credentials"))

    def with_requests_oauthlib() -> dict[str, object]:
        session = RequestsOAuthlibSession(client=BackendApplicationClient(client_id=who.client_id))
        return dict(
            session.fetch_token(
                gateway.token_url, client_id=who.client_id, client_secret=who.secret
            )
        )

    first = await asyncio.to_thread(with_authlib)
    second = await asyncio.to_thread(with_requests_oauthlib)
    assert first["scope"] == "residents.lookup records.read"
    assert second["scope"] == ["residents.lookup", "records.read"]  # oauthlib splits it
    assert first["access_token"] != second["access_token"]


async def test_no_scope_requested_gives_the_default_scopes(gateway: Gateway) -> None:
    who = await gateway.client(
        ("residents.lookup", "residents.verify"), default_scopes=("residents.verify",)
    )
    async with AsyncOAuth2Client(who.client_id, who.secret) as client:
        token = await client.fetch_token(gateway.token_url, grant_type="client_credentials")
    assert token["scope"] == "residents.verify"


async def test_metadata_describes_the_server(gateway: Gateway) -> None:
    async with gateway.http.get(gateway.url + "/.well-known/oauth-authorization-server") as resp:
        meta = await resp.json()
    assert meta["issuer"] == gateway.url
    assert meta["token_endpoint"] == gateway.token_url
    assert meta["jwks_uri"] == gateway.url + "/oauth/jwks"
    assert meta["grant_types_supported"] == ["client_credentials"]
    assert set(meta["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic",
        "private_key_jwt",
    }
    assert "HS256" not in meta["token_endpoint_auth_signing_alg_values_supported"]
    assert "admin" in meta["scopes_supported"]


async def test_no_token_is_issued_when_the_audit_log_cannot_be_written(gateway: Gateway) -> None:
    who = await gateway.client()
    gateway.audit.unavailable = True
    async with gateway.http.post(
        gateway.token_url,
        data={"grant_type": "client_credentials"},
        headers=basic(who.client_id, who.secret or ""),
    ) as resp:
        body = await resp.json(content_type=None)
    assert resp.status == 503 and "access_token" not in body
    assert body["type"].endswith("/audit-unavailable") and resp.headers["Retry-After"]
