"""Resource protection (RFC 6750, RFC 9068): every bad token is refused with the right status,
error code, `WWW-Authenticate` challenge and problem+json body, and the refusal is audited."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import aiohttp
from joserfc import jwt
from joserfc.jwk import ECKey

from gateway.admin import registry
from schemas.audit import EventType
from tests.support.gateway import Gateway, basic

WHOAMI = "/test/whoami"


async def call(
    gw: Gateway, token: str | None, *, path: str = WHOAMI, params: dict[str, str] | None = None
) -> tuple[int, dict[str, Any], aiohttp.ClientResponse]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with gw.http.get(gw.url + path, headers=headers, params=params) as resp:
        return resp.status, await resp.json(content_type=None), resp


def minted(gw: Gateway, client_id: str, *, typ: str = "at+jwt", **overrides: Any) -> str:
    """A token signed by the gateway's own key, with one claim or header made wrong."""
    now = int(time.time())
    claims = {
        "iss": gw.url,
        "aud": gw.url,
        "sub": client_id,
        "client_id": client_id,
        "scope": "residents.lookup",
        "jti": f"t-{now}-{len(overrides)}",
        "iat": now,
        "exp": now + 120,
    } | overrides
    return gw.oauth.keys.sign(claims, typ=typ)


async def assert_invalid_token(gw: Gateway, token: str, fragment: str) -> None:
    status, body, resp = await call(gw, token)
    assert status == 401, body
    assert resp.content_type == "application/problem+json"
    assert body["type"].endswith("/invalid-token")
    challenge = resp.headers["WWW-Authenticate"]
    assert challenge.startswith("Bearer ") and 'error="invalid_token"' in challenge
    assert fragment in body["detail"].lower()
    assert gw.audit.of(EventType.AUTH_REFUSED)[-1].reason == "invalid_token"


async def test_a_valid_token_reaches_the_endpoint(gateway: Gateway) -> None:
    who = await gateway.client()
    status, body, _ = await call(gateway, await gateway.token(who))
    assert status == 200 and body == {"client_id": who.client_id, "scopes": ["residents.lookup"]}
    assert gateway.audit.of(EventType.AUTH_REFUSED) == []


async def test_no_token_is_401_with_a_bare_bearer_challenge(gateway: Gateway) -> None:
    status, body, resp = await call(gateway, None)
    assert status == 401 and body["type"].endswith("/unauthorized")
    assert resp.headers["WWW-Authenticate"] == 'Bearer realm="popgate"'  # RFC 6750 section 3.1
    assert gateway.audit.of(EventType.AUTH_REFUSED)[0].reason == "missing_token"


async def test_token_in_the_query_string_is_refused(gateway: Gateway) -> None:
    who = await gateway.client()
    token = await gateway.token(who)
    status, _, resp = await call(gateway, None, params={"access_token": token})
    assert status == 400 and 'error="invalid_request"' in resp.headers["WWW-Authenticate"]
    # Even with a header as well: the token has already leaked into a URL.
    status, _, _ = await call(gateway, token, params={"access_token": token})
    assert status == 400


async def test_other_authorization_schemes_are_invalid_requests(gateway: Gateway) -> None:
    async with gateway.http.get(gateway.url + WHOAMI, headers=basic("a", "b")) as resp:
        assert resp.status == 400
        assert 'error="invalid_request"' in resp.headers["WWW-Authenticate"]


async def test_missing_scope_is_403_insufficient_scope(gateway: Gateway) -> None:
    who = await gateway.client(("residents.verify",))
    status, body, resp = await call(gateway, await gateway.token(who))
    assert status == 403 and body["type"].endswith("/insufficient-scope")
    challenge = resp.headers["WWW-Authenticate"]
    assert 'error="insufficient_scope"' in challenge and 'scope="residents.lookup"' in challenge
    assert gateway.audit.of(EventType.AUTH_REFUSED)[0].client_id == who.client_id


async def test_wrong_typ_is_refused(gateway: Gateway) -> None:
    who = await gateway.client()
    await assert_invalid_token(gateway, minted(gateway, who.client_id, typ="JWT"), "typ")


async def test_wrong_audience_is_refused(gateway: Gateway) -> None:
    who = await gateway.client()
    token = minted(gateway, who.client_id, aud="https://other-gateway.example")
    await assert_invalid_token(gateway, token, "aud")


async def test_wrong_issuer_is_refused(gateway: Gateway) -> None:
    who = await gateway.client()
    token = minted(gateway, who.client_id, iss="https://rogue-issuer.example")
    await assert_invalid_token(gateway, token, "iss")


async def test_expired_token_is_refused_beyond_ten_seconds_of_leeway(gateway: Gateway) -> None:
    who = await gateway.client()
    now = int(time.time())
    within = minted(gateway, who.client_id, iat=now - 300, exp=now - 3)
    assert (await call(gateway, within))[0] == 200
    expired = minted(gateway, who.client_id, iat=now - 300, exp=now - 30)
    await assert_invalid_token(gateway, expired, "expired")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


async def test_tampered_signature_or_claims_are_refused(gateway: Gateway) -> None:
    who = await gateway.client(("residents.verify",))
    token = await gateway.token(who)
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["scope"] = "residents.lookup admin"
    escalated = f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"
    await assert_invalid_token(gateway, escalated, "signature")
    flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    await assert_invalid_token(gateway, f"{header}.{payload}.{flipped}", "signature")


async def test_token_signed_by_another_key_or_unsigned_is_refused(gateway: Gateway) -> None:
    who = await gateway.client()
    kid = gateway.oauth.keys.current().kid
    stranger = ECKey.generate_key("P-256", parameters={"kid": kid})
    claims = json.loads(
        base64.urlsafe_b64decode(minted(gateway, who.client_id).split(".")[1] + "==")
    )
    forged = jwt.encode({"alg": "ES256", "typ": "at+jwt", "kid": kid}, claims, stranger)
    await assert_invalid_token(gateway, forged, "signature")
    header = _b64(json.dumps({"alg": "none", "typ": "at+jwt"}).encode())
    none = f"{header}.{_b64(json.dumps(claims).encode())}."
    await assert_invalid_token(gateway, none, "signature")


async def test_token_hmac_signed_with_the_published_key_is_refused(gateway: Gateway) -> None:
    who = await gateway.client()
    claims = json.loads(
        base64.urlsafe_b64decode(minted(gateway, who.client_id).split(".")[1] + "==")
    )
    published = json.dumps(gateway.oauth.keys.jwks()["keys"][0]).encode()
    kid = gateway.oauth.keys.current().kid
    header = _b64(json.dumps({"alg": "HS256", "typ": "at+jwt", "kid": kid}).encode())
    signing_input = f"{header}.{_b64(json.dumps(claims).encode())}"
    mac = hmac.new(published, signing_input.encode(), hashlib.sha256).digest()
    await assert_invalid_token(gateway, f"{signing_input}.{_b64(mac)}", "signature")


async def test_revoked_token_is_refused_on_the_next_request(gateway: Gateway) -> None:
    who = await gateway.client()
    token = await gateway.token(who)
    assert (await call(gateway, token))[0] == 200  # verified claims are now cached
    async with gateway.http.post(
        gateway.url + "/oauth/revoke",
        data={"token": token, "token_type_hint": "access_token"},
        headers=basic(who.client_id, who.secret or ""),
    ) as resp:
        assert resp.status == 200
    await assert_invalid_token(gateway, token, "revoked")
    revoked = gateway.audit.of(EventType.TOKEN_REVOKED)
    assert [e.client_id for e in revoked] == [who.client_id]


async def test_disabled_clients_still_valid_token_is_refused(gateway: Gateway) -> None:
    who = await gateway.client()
    token = await gateway.token(who)
    assert (await call(gateway, token))[0] == 200
    await registry.disable(gateway.oauth.db, who.client_id, by="test")
    await assert_invalid_token(gateway, token, "disabled")


async def test_an_unprotected_endpoint_needs_no_token(gateway: Gateway) -> None:
    assert (await call(gateway, None, path="/test/open"))[0] == 200
