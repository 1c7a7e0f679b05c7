"""The admin API: clients, grants and keys, `admin` scope only, every change audited."""

from __future__ import annotations

from typing import Any

from joserfc import jwt
from joserfc.jwk import KeySet

from schemas.audit import EventType
from tests.support.gateway import Gateway, Registered, basic


class Admin:
    def __init__(self, gw: Gateway, token: str) -> None:
        self.gw = gw
        self.headers = {"Authorization": f"Bearer {token}"}

    async def get(self, path: str, **params: str) -> tuple[int, Any]:
        async with self.gw.http.get(self.gw.url + path, headers=self.headers, params=params) as r:
            return r.status, await r.json(content_type=None)

    async def post(self, path: str, body: Any = None) -> tuple[int, Any]:
        async with self.gw.http.post(self.gw.url + path, headers=self.headers, json=body) as r:
            return r.status, await r.json(content_type=None)


async def _admin(gw: Gateway) -> tuple[Admin, Registered]:
    who = await gw.client(("admin",))
    return Admin(gw, await gw.token(who)), who


async def test_a_non_admin_client_is_forbidden(gateway: Gateway) -> None:
    who = await gateway.client(("residents.lookup",))
    status, body = await Admin(gateway, await gateway.token(who)).get("/admin/v1/clients")
    assert status == 403 and body["type"].endswith("/insufficient-scope")


async def test_without_a_token_the_admin_api_is_401(gateway: Gateway) -> None:
    async with gateway.http.post(gateway.url + "/admin/v1/clients", json={"name": "x"}) as resp:
        assert resp.status == 401


async def test_admin_creates_a_client_that_then_gets_a_token(gateway: Gateway) -> None:
    admin, admin_client = await _admin(gateway)
    status, created = await admin.post(
        "/admin/v1/clients", {"name": "Sở Tư pháp", "scopes": ["residents.verify"]}
    )
    assert status == 201 and created["enabled"] and len(created["client_secret"]) >= 43
    assert created["created_by"] == "client:" + admin_client.client_id
    new = Registered(created["client_id"], created["client_secret"])
    assert await gateway.token(new)
    status, listed = await admin.get("/admin/v1/clients")
    mine = [c for c in listed["clients"] if c["client_id"] == new.client_id]
    assert mine and "client_secret" not in mine[0] and "secret_hash" not in mine[0]
    change = gateway.audit.of(EventType.ADMIN_CHANGE)[0]
    assert change.actor == admin_client.client_id and change.client_id == new.client_id


async def test_invalid_client_bodies_are_400_and_change_nothing(gateway: Gateway) -> None:
    admin, _ = await _admin(gateway)
    for body in (
        {"name": "x", "scopes": ["superuser"]},
        {"name": "x", "auth_method": "private_key_jwt"},
        {"name": ""},
        "not an object",
    ):
        status, problem = await admin.post("/admin/v1/clients", body)
        assert status == 400 and problem["type"].endswith("/invalid-request"), body
    _, listed = await admin.get("/admin/v1/clients")
    assert len(listed["clients"]) == 1  # the admin itself
    assert gateway.audit.of(EventType.ADMIN_CHANGE) == []


async def test_disabling_a_client_cuts_off_its_tokens_and_new_tokens(gateway: Gateway) -> None:
    admin, _ = await _admin(gateway)
    who = await gateway.client()
    token = await gateway.token(who)
    status, disabled = await admin.post(f"/admin/v1/clients/{who.client_id}/disable")
    assert status == 200 and disabled["enabled"] is False
    async with gateway.http.get(
        gateway.url + "/test/whoami", headers={"Authorization": f"Bearer {token}"}
    ) as resp:
        assert resp.status == 401
    async with gateway.http.post(
        gateway.token_url,
        data={"grant_type": "client_credentials"},
        headers=basic(who.client_id, who.secret or ""),
    ) as resp:
        assert resp.status == 401
    assert (await admin.post("/admin/v1/clients/pg-nobody/disable"))[0] == 404


async def test_grants_are_issued_listed_and_revoked(gateway: Gateway) -> None:
    admin, _ = await _admin(gateway)
    who = await gateway.client()
    body = {
        "client_id": who.client_id,
        "fields": ["full_name", "date_of_birth"],
        "purposes": ["UNEMPLOYMENT_BENEFIT"],
        "legal_basis": "Luật Việc làm 2013, Điều 46",
        "daily_quota": 1000,
        "disclosure_delay": "P7D",
    }
    status, grant = await admin.post("/admin/v1/grants", body)
    assert status == 201 and grant["daily_quota"] == 1000 and grant["revoked_at"] is None
    _, listed = await admin.get("/admin/v1/grants", client_id=who.client_id, live="true")
    assert [g["grant_id"] for g in listed["grants"]] == [grant["grant_id"]]
    status, revoked = await admin.post(
        f"/admin/v1/grants/{grant['grant_id']}/revoke", {"reason": "contract ended"}
    )
    assert status == 200 and revoked["revoked_at"] and revoked["revoke_reason"] == "contract ended"
    _, listed = await admin.get("/admin/v1/grants", client_id=who.client_id, live="true")
    assert listed["grants"] == []
    details = [e.detail or "" for e in gateway.audit.of(EventType.ADMIN_CHANGE)]
    assert details[0].startswith("grant issued") and details[1].startswith("grant revoked")
    assert gateway.audit.of(EventType.ADMIN_CHANGE)[0].legal_basis == body["legal_basis"]


async def test_a_grant_needs_a_legal_basis_and_a_known_client(gateway: Gateway) -> None:
    admin, _ = await _admin(gateway)
    who = await gateway.client()
    base = {"client_id": who.client_id, "fields": ["full_name"], "purposes": ["X_Y"]}
    assert (await admin.post("/admin/v1/grants", base))[0] == 400
    unknown = base | {"client_id": "pg-nobody", "legal_basis": "Luật Cư trú 2020, Điều 3"}
    assert (await admin.post("/admin/v1/grants", unknown))[0] == 400
    assert (await admin.post("/admin/v1/grants/no-such-grant/revoke"))[0] == 404


async def test_key_rotation_keeps_old_tokens_valid_and_publishes_both_keys(
    gateway: Gateway,
) -> None:
    admin, _ = await _admin(gateway)
    who = await gateway.client()
    old_token = await gateway.token(who)
    status, rotated = await admin.post("/admin/v1/keys/rotate")
    assert status == 201 and rotated["active"]
    new_token = await gateway.token(who)
    async with gateway.http.get(gateway.url + "/oauth/jwks") as resp:
        published = KeySet.import_key_set(await resp.json())
    kids = {jwt.decode(t, published).header["kid"] for t in (old_token, new_token)}
    assert len(kids) == 2 and rotated["kid"] in kids
    for token in (old_token, new_token):
        async with gateway.http.get(
            gateway.url + "/test/whoami", headers={"Authorization": f"Bearer {token}"}
        ) as resp:
            assert resp.status == 200
    _, keys = await admin.get("/admin/v1/keys")
    states = sorted((k["active"], k["publish_until"] is None) for k in keys["keys"])
    assert states == [(False, False), (True, True)]
    # Metadata only: no key material, private or public, in the listing.
    assert all(
        set(k) == {"kid", "alg", "created_at", "retired_at", "publish_until", "active"}
        for k in keys["keys"]
    )


async def test_an_admin_change_whose_audit_event_cannot_be_written_does_not_stand(
    gateway: Gateway,
) -> None:
    admin, _ = await _admin(gateway)
    target = await gateway.client(("residents.lookup",))
    grant = {
        "client_id": target.client_id,
        "fields": ["full_name"],
        "purposes": ["UNEMPLOYMENT_BENEFIT"],
        "legal_basis": "Luật Việc làm 2013, Điều 46",
    }
    status, issued = await admin.post("/admin/v1/grants", grant)
    assert status == 201, issued
    _, keys_before = await admin.get("/admin/v1/keys")
    gateway.audit.unavailable = True
    for path, body in [
        ("/admin/v1/clients", {"name": "Sở Y tế", "scopes": ["residents.verify"]}),
        ("/admin/v1/grants", grant),
        (f"/admin/v1/grants/{issued['grant_id']}/revoke", {"reason": "thử"}),
        (f"/admin/v1/clients/{target.client_id}/disable", None),
        ("/admin/v1/keys/rotate", None),
    ]:
        status, answer = await admin.post(path, body)
        assert status == 503 and answer["type"].endswith("/audit-unavailable"), path
    gateway.audit.unavailable = False
    _, clients = await admin.get("/admin/v1/clients")
    assert "Sở Y tế" not in [c["name"] for c in clients["clients"]]
    _, grants = await admin.get("/admin/v1/grants", client_id=target.client_id, live="true")
    assert [g["grant_id"] for g in grants["grants"]] == [issued["grant_id"]]  # one, not revoked
    _, keys_after = await admin.get("/admin/v1/keys")
    assert keys_after == keys_before
    assert await gateway.token(target)  # still enabled: the disable did not stand


async def test_the_audit_event_names_the_identifiers_the_change_was_given(gateway: Gateway) -> None:
    admin, _ = await _admin(gateway)
    status, created = await admin.post("/admin/v1/clients", {"name": "Sở Nội vụ"})
    assert status == 201
    target = created["client_id"]
    grant = {
        "client_id": target,
        "fields": ["full_name"],
        "purposes": ["UNEMPLOYMENT_BENEFIT"],
        "legal_basis": "Luật Việc làm 2013, Điều 46",
    }
    _, issued = await admin.post("/admin/v1/grants", grant)
    _, rotated = await admin.post("/admin/v1/keys/rotate")
    changes = gateway.audit.of(EventType.ADMIN_CHANGE)
    assert changes[-3].client_id == target
    assert changes[-2].grant_id == issued["grant_id"]
    assert changes[-1].detail == f"signing key rotated: new kid {rotated['kid']}"
    assert (await admin.post("/admin/v1/grants/no-such-grant/revoke"))[0] == 404
    assert (await admin.post("/admin/v1/clients/no-such-client/disable"))[0] == 404
    assert len(gateway.audit.of(EventType.ADMIN_CHANGE)) == len(changes)  # no event for a 404
