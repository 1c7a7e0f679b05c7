"""`POST /v1/access/check`: a client learns what its grants allow, with no resident data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from schemas.audit import EventType
from store.clients import OAuthClient
from tests.support.gateway import Gateway


async def _check(gw: Gateway, token: str | None, body: Any) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with gw.http.post(gw.url + "/v1/access/check", json=body, headers=headers) as resp:
        return resp.status, await resp.json(content_type=None)


async def test_the_decision_names_the_grant_and_its_legal_basis(gateway: Gateway) -> None:
    who = await gateway.client()
    grant_id = await gateway.grant(who.client_id, daily_quota=50)
    status, body = await _check(
        gateway,
        await gateway.token(who),
        {"purpose": "UNEMPLOYMENT_BENEFIT", "fields": ["date_of_birth", "ethnicity"]},
    )
    assert status == 200
    assert body == {
        "allowed": ["date_of_birth"],
        "withheld": ["ethnicity"],
        "grant_id": grant_id,
        "legal_basis": "Luật Việc làm 2013, Điều 46",
        "valid_until": None,
        "daily_quota": 50,
    }


async def test_a_purpose_outside_the_grant_is_403_with_the_reason(gateway: Gateway) -> None:
    who = await gateway.client()
    await gateway.grant(who.client_id, valid_until=dt.datetime.now(dt.UTC) + dt.timedelta(days=30))
    status, body = await _check(
        gateway, await gateway.token(who), {"purpose": "TAX_AUDIT", "fields": ["full_name"]}
    )
    assert status == 403 and body["reason"] == "purpose_not_granted"
    assert body["type"].endswith("/access-denied")
    (refused,) = gateway.audit.of(EventType.DATA_REFUSED)
    assert refused.client_id == who.client_id and refused.purpose == "TAX_AUDIT"
    assert refused.reason == "purpose_not_granted"


async def test_a_grant_past_its_window_is_refused_and_audited(gateway: Gateway) -> None:
    who = await gateway.client()
    now = dt.datetime.now(dt.UTC)
    await gateway.grant(
        who.client_id, valid_from=now - dt.timedelta(days=9), valid_until=now - dt.timedelta(days=1)
    )
    status, body = await _check(
        gateway, await gateway.token(who), {"purpose": "UNEMPLOYMENT_BENEFIT"}
    )
    assert status == 403 and body["reason"] == "grant_expired"
    assert [e.reason for e in gateway.audit.of(EventType.DATA_REFUSED)] == ["grant_expired"]


async def test_bad_bodies_and_missing_tokens_are_refused(gateway: Gateway) -> None:
    who = await gateway.client()
    token = await gateway.token(who)
    assert (await _check(gateway, None, {"purpose": "X_Y"}))[0] == 401
    status, body = await _check(gateway, token, {"purpose": "X_Y", "fields": ["shoe_size"]})
    assert status == 400 and "shoe_size" in body["detail"]
    assert (await _check(gateway, token, {"purpose": "X_Y", "extra": 1}))[0] == 400


async def test_client_secrets_are_not_stored_in_clear(gateway: Gateway) -> None:
    who = await gateway.client()
    async with gateway.oauth.db.sessions() as session:
        row = (
            await session.scalars(select(OAuthClient).where(OAuthClient.client_id == who.client_id))
        ).one()
    assert who.secret and len(who.secret) >= 43
    stored = " ".join(str(getattr(row, c.key)) for c in OAuthClient.__table__.columns)
    assert who.secret not in stored and row.secret_hash
