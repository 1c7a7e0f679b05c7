"""Client authentication at the token endpoint: private_key_jwt with Authlib's own client, and
every refusal (wrong secret, unknown or disabled client, bad assertions, scope escalation,
brute force)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from typing import Any

import aiohttp
from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from joserfc import jwt
from joserfc.jwk import ECKey

from gateway.admin import registry
from schemas.audit import EventType
from tests.support.gateway import Gateway, Registered, basic

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def assertion(
    who: Registered, gw: Gateway, *, key: Any = None, alg: str = "ES256", **overrides: Any
) -> str:
    now = int(time.time())
    claims = {
        "iss": who.client_id,
        "sub": who.client_id,
        "aud": gw.token_url,
        "jti": secrets.token_urlsafe(16),
        "iat": now,
        "exp": now + 60,
    } | overrides
    signing_key = key or who.key
    header = {"alg": alg, "kid": signing_key.kid} if signing_key.kid else {"alg": alg}
    return jwt.encode(header, claims, signing_key, algorithms=[alg])


async def post_token(
    gw: Gateway,
    data: dict[str, str],
    *,
    auth: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
) -> tuple[int, dict[str, Any], aiohttp.ClientResponse]:
    form = {"grant_type": "client_credentials"} | data
    async with gw.http.post(gw.token_url, data=form, headers=auth, params=params) as resp:
        return resp.status, await resp.json(content_type=None), resp


async def with_assertion(gw: Gateway, token: str, **extra: str) -> tuple[int, dict[str, Any]]:
    status, body, _ = await post_token(
        gw, {"client_assertion_type": ASSERTION_TYPE, "client_assertion": token} | extra
    )
    return status, body


class ShortLivedPrivateKeyJWT(PrivateKeyJWT):  # type: ignore[misc]
    """Authlib's client dates assertions an hour ahead; popgate accepts at most five minutes."""

    def sign(self, auth: Any, token_endpoint: str) -> str:
        self.claims = {"exp": int(time.time()) + 60}  # fresh dict: Authlib adds its jti to it
        return str(super().sign(auth, token_endpoint))


def refusals(gw: Gateway) -> list[str | None]:
    return [e.reason for e in gw.audit.of(EventType.TOKEN_REFUSED)]


async def test_private_key_jwt_with_authlibs_client_gets_a_token(gateway: Gateway) -> None:
    who = await gateway.client(("residents.verify",), jwt=True)
    assert who.key is not None
    method = ShortLivedPrivateKeyJWT(gateway.token_url, alg="ES256", headers={"kid": who.key.kid})
    async with AsyncOAuth2Client(
        who.client_id, who.key, token_endpoint_auth_method=method
    ) as client:
        token = await client.fetch_token(gateway.token_url, grant_type="client_credentials")
        again = await client.fetch_token(gateway.token_url, grant_type="client_credentials")
    assert token["scope"] == again["scope"] == "residents.verify"
    assert "private_key_jwt" in (gateway.audit.of(EventType.TOKEN_ISSUED)[0].detail or "")


async def test_assertion_audience_may_be_the_issuer(gateway: Gateway) -> None:
    who = await gateway.client(jwt=True)
    status, body = await with_assertion(gateway, assertion(who, gateway, aud=gateway.url))
    assert status == 200, body


async def test_wrong_secret_is_invalid_client_and_audited(gateway: Gateway) -> None:
    who = await gateway.client()
    status, body, resp = await post_token(gateway, {}, auth=basic(who.client_id, "not-the-secret"))
    assert status == 401 and body["error"] == "invalid_client"
    assert resp.headers["WWW-Authenticate"].startswith("Basic")
    assert refusals(gateway) == ["invalid_client"]
    assert gateway.audit.of(EventType.TOKEN_REFUSED)[0].client_id == who.client_id


async def test_unknown_client_is_invalid_client(gateway: Gateway) -> None:
    status, body, _ = await post_token(gateway, {}, auth=basic("pg-nobody", "x" * 40))
    assert status == 401 and body["error"] == "invalid_client"
    assert refusals(gateway) == ["invalid_client"]


async def test_disabled_client_is_invalid_client(gateway: Gateway) -> None:
    who = await gateway.client()
    await registry.disable(gateway.oauth.db, who.client_id, by="test")
    status, body, _ = await post_token(gateway, {}, auth=basic(who.client_id, who.secret or ""))
    assert status == 401 and body["error"] == "invalid_client"
    assert "disabled" in body["error_description"]


async def test_no_credentials_at_all_is_invalid_client(gateway: Gateway) -> None:
    status, body, _ = await post_token(gateway, {})
    assert status == 401 and body["error"] == "invalid_client"


async def test_credentials_in_the_query_string_are_refused(gateway: Gateway) -> None:
    who = await gateway.client()
    status, body, _ = await post_token(
        gateway, {}, params={"client_id": who.client_id, "client_secret": who.secret or ""}
    )
    assert status == 400 and body["type"].endswith("/invalid-request")


async def test_a_secret_client_cannot_use_an_assertion_nor_a_jwt_client_a_secret(
    gateway: Gateway,
) -> None:
    jwt_client = await gateway.client(jwt=True)
    status, body, _ = await post_token(gateway, {}, auth=basic(jwt_client.client_id, "guess" * 10))
    assert status == 401 and body["error"] == "invalid_client"


async def test_expired_assertion_is_refused(gateway: Gateway) -> None:
    who = await gateway.client(jwt=True)
    past = int(time.time()) - 600
    status, body = await with_assertion(gateway, assertion(who, gateway, iat=past - 60, exp=past))
    assert status == 401 and body["error"] == "invalid_client"
    assert "expired" in body["error_description"].lower()


async def test_replayed_assertion_is_refused(gateway: Gateway) -> None:
    who = await gateway.client(jwt=True)
    once = assertion(who, gateway)
    assert (await with_assertion(gateway, once))[0] == 200
    status, body = await with_assertion(gateway, once)
    assert status == 401 and body["error"] == "invalid_client"
    assert "replayed" in body["error_description"]
    assert refusals(gateway) == ["invalid_client"]


async def test_assertion_expiring_too_far_ahead_is_refused(gateway: Gateway) -> None:
    who = await gateway.client(jwt=True)
    status, body = await with_assertion(
        gateway, assertion(who, gateway, exp=int(time.time()) + 3600)
    )
    assert status == 401 and "ahead" in body["error_description"]


async def test_assertion_for_another_audience_is_refused(gateway: Gateway) -> None:
    who = await gateway.client(jwt=True)
    status, body = await with_assertion(
        gateway, assertion(who, gateway, aud="https://elsewhere.example/token")
    )
    assert status == 401 and body["error"] == "invalid_client"


async def test_assertion_signed_with_an_unregistered_key_is_refused(gateway: Gateway) -> None:
    who = await gateway.client(jwt=True)
    stranger = ECKey.generate_key("P-256", parameters={"kid": who.key.kid if who.key else "x"})
    status, body = await with_assertion(gateway, assertion(who, gateway, key=stranger))
    assert status == 401 and body["error"] == "invalid_client"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


async def test_assertion_with_alg_none_is_refused(gateway: Gateway) -> None:
    who = await gateway.client(jwt=True)
    now = int(time.time())
    claims = {
        "iss": who.client_id,
        "sub": who.client_id,
        "aud": gateway.token_url,
        "jti": "n1",
        "exp": now + 60,
    }
    unsigned = f"{_b64(json.dumps({'alg': 'none'}).encode())}.{_b64(json.dumps(claims).encode())}."
    status, body = await with_assertion(gateway, unsigned)
    assert status == 401 and body["error"] == "invalid_client"


async def test_assertion_hmac_signed_with_the_public_key_is_refused(gateway: Gateway) -> None:
    who = await gateway.client(jwt=True)
    assert who.key is not None
    public_pem = who.key.as_pem(private=False)
    now = int(time.time())
    claims = {
        "iss": who.client_id,
        "sub": who.client_id,
        "aud": gateway.token_url,
        "jti": "h1",
        "exp": now + 60,
    }
    # joserfc itself refuses to build such a key, so forge the HMAC by hand.
    header = _b64(json.dumps({"alg": "HS256", "kid": who.key.kid}).encode())
    signing_input = f"{header}.{_b64(json.dumps(claims).encode())}"
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    forged = f"{signing_input}.{_b64(mac)}"
    status, body = await with_assertion(gateway, forged)
    assert status == 401 and body["error"] == "invalid_client"


async def test_scope_beyond_the_allowed_ones_is_invalid_scope_not_narrowed(
    gateway: Gateway,
) -> None:
    who = await gateway.client(("residents.lookup",))
    status, body, _ = await post_token(
        gateway,
        {"scope": "residents.lookup admin"},
        auth=basic(who.client_id, who.secret or ""),
    )
    assert status == 400 and body["error"] == "invalid_scope"
    assert "admin" in body["error_description"]
    assert refusals(gateway) == ["invalid_scope"]


async def test_unsupported_grant_type_is_refused(gateway: Gateway) -> None:
    who = await gateway.client()
    status, body, _ = await post_token(
        gateway,
        {"grant_type": "password", "username": "u", "password": "p"},
        auth=basic(who.client_id, who.secret or ""),
    )
    assert status == 400 and body["error"] == "unsupported_grant_type"


async def test_brute_force_on_the_token_endpoint_is_rate_limited(gateway: Gateway) -> None:
    who = await gateway.client()
    wrong = basic(who.client_id, "wrong")
    statuses = [(await post_token(gateway, {}, auth=wrong))[0] for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    status, body, resp = await post_token(gateway, {}, auth=basic(who.client_id, who.secret or ""))
    assert status == 429 and int(resp.headers["Retry-After"]) >= 1
    assert body["type"].endswith("/rate-limited")
    assert "rate_limited" in refusals(gateway)
