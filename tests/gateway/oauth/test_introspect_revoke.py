"""Introspection (RFC 7662) and revocation (RFC 7009): who may ask about or revoke which token."""

from __future__ import annotations

from typing import Any

from authlib.integrations.httpx_client import AsyncOAuth2Client

from schemas.audit import EventType
from tests.support.gateway import Gateway, Registered, basic


async def _post(gw: Gateway, path: str, who: Registered, **form: str) -> tuple[int, Any]:
    async with gw.http.post(
        gw.url + path, data=form, headers=basic(who.client_id, who.secret or "")
    ) as resp:
        return resp.status, await resp.json(content_type=None)


async def test_a_client_introspects_its_own_token(gateway: Gateway) -> None:
    who = await gateway.client(("residents.lookup", "residents.verify"))
    token = await gateway.token(who, "residents.verify")
    status, body = await _post(gateway, "/oauth/introspect", who, token=token)
    assert status == 200 and body["active"] is True
    assert body["client_id"] == who.client_id and body["scope"] == "residents.verify"
    assert body["iss"] == gateway.url and body["token_type"] == "Bearer"


async def test_another_clients_token_is_inactive_unless_asked_by_an_admin(
    gateway: Gateway,
) -> None:
    owner, other, admin = (
        await gateway.client(),
        await gateway.client(),
        await gateway.client(("admin",)),
    )
    token = await gateway.token(owner)
    assert (await _post(gateway, "/oauth/introspect", other, token=token))[1] == {"active": False}
    assert (await _post(gateway, "/oauth/introspect", admin, token=token))[1]["active"] is True


async def test_garbage_or_revoked_tokens_are_inactive(gateway: Gateway) -> None:
    who = await gateway.client()
    assert (await _post(gateway, "/oauth/introspect", who, token="abc.def.ghi"))[1] == {
        "active": False
    }
    token = await gateway.token(who)
    assert (await _post(gateway, "/oauth/revoke", who, token=token))[0] == 200
    assert (await _post(gateway, "/oauth/introspect", who, token=token))[1] == {"active": False}


async def test_introspection_needs_client_authentication(gateway: Gateway) -> None:
    who = await gateway.client()
    token = await gateway.token(who)
    intruder = Registered(who.client_id, "wrong-secret")
    status, body = await _post(gateway, "/oauth/introspect", intruder, token=token)
    assert status == 401 and body["error"] == "invalid_client"


async def test_authlib_client_revokes_its_token(gateway: Gateway) -> None:
    who = await gateway.client()
    async with AsyncOAuth2Client(who.client_id, who.secret) as client:
        token = await client.fetch_token(gateway.token_url, grant_type="client_credentials")
        resp = await client.revoke_token(
            gateway.url + "/oauth/revoke", token["access_token"], token_type_hint="access_token"
        )
    assert resp.status_code == 200
    introspected = await _post(gateway, "/oauth/introspect", who, token=token["access_token"])
    assert introspected[1] == {"active": False}


async def test_a_client_cannot_revoke_another_clients_token(gateway: Gateway) -> None:
    owner, other = await gateway.client(), await gateway.client()
    token = await gateway.token(owner)
    status, body = await _post(gateway, "/oauth/revoke", other, token=token)
    assert status == 400 and body["error"] == "unauthorized_client"
    assert (await _post(gateway, "/oauth/introspect", owner, token=token))[1]["active"] is True
    assert gateway.audit.of(EventType.TOKEN_REVOKED) == []


async def test_revoking_an_unknown_token_answers_200_and_refresh_tokens_are_unsupported(
    gateway: Gateway,
) -> None:
    who = await gateway.client()
    assert (await _post(gateway, "/oauth/revoke", who, token="not-a-token"))[0] == 200
    status, body = await _post(
        gateway, "/oauth/revoke", who, token="x", token_type_hint="refresh_token"
    )
    assert status == 400 and body["error"] == "unsupported_token_type"


async def test_guessing_secrets_at_introspection_is_audited_and_rate_limited(
    gateway: Gateway,
) -> None:
    who = await gateway.client()
    token = await gateway.token(who)
    intruder = Registered(who.client_id, "guess")
    statuses = [
        (await _post(gateway, "/oauth/introspect", intruder, token=token))[0] for _ in range(6)
    ]
    assert statuses == [401] * 5 + [429]
    refused = gateway.audit.of(EventType.AUTH_REFUSED)
    assert len(refused) == 5 and all(e.reason == "invalid_client" for e in refused)
    assert (await _post(gateway, "/oauth/revoke", who, token=token))[0] == 429
