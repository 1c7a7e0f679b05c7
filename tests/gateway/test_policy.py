"""Access-grant policy over real SQLite and PostgreSQL: deny by default, purpose-bound, field-level,
sensitive fields only when named, validity windows, revocation effective on the next evaluation."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from gateway import policy
from gateway.admin import registry
from schemas.grants import ClientSpec, Decision, Denial, DenialReason, GrantSpec
from store.engine import Database
from store.instance import POLICY_EPOCH, get_state
from store.secretbox import SecretBox

BENEFIT = "UNEMPLOYMENT_BENEFIT"
LAW = "Luật Việc làm 2013, Điều 46"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def _client(db: Database) -> str:
    info, _ = await registry.register_client(
        db, SecretBox(b"k" * 32), ClientSpec(name="Sở LĐTBXH"), by="test"
    )
    return info.client_id


async def _grant(db: Database, client_id: str, **values: object) -> str:
    spec = GrantSpec.model_validate(
        {
            "client_id": client_id,
            "fields": ["full_name", "date_of_birth", "permanent_address"],
            "purposes": [BENEFIT],
            "legal_basis": LAW,
        }
        | values
    )
    return (await registry.issue_grant(db, spec, by="admin-1")).grant_id


async def _evaluate(
    db: Database, client_id: str, fields: list[str], purpose: str = BENEFIT
) -> Decision | Denial:
    async with db.sessions() as session:
        return await policy.evaluate(session, client_id, fields, purpose)


async def test_a_client_without_grants_is_denied(database: Database) -> None:
    client_id = await _client(database)
    result = await _evaluate(database, client_id, ["full_name"])
    assert isinstance(result, Denial) and result.reason is DenialReason.NO_GRANT


async def test_an_unknown_client_is_denied(database: Database) -> None:
    result = await _evaluate(database, "pg-nobody", ["full_name"])
    assert isinstance(result, Denial) and result.reason is DenialReason.CLIENT_UNKNOWN


async def test_granted_fields_are_allowed_and_the_rest_withheld(database: Database) -> None:
    client_id = await _client(database)
    grant_id = await _grant(database, client_id)
    result = await _evaluate(database, client_id, ["permanent_address", "full_name", "phone"])
    assert isinstance(result, Decision)
    assert result.allowed == ("full_name", "permanent_address")  # catalogue order
    assert result.withheld == ("phone",)
    assert result.grant.grant_id == grant_id and result.legal_basis == LAW
    assert result.grant.created_by == "admin-1"


async def test_an_empty_request_means_every_granted_field(database: Database) -> None:
    client_id = await _client(database)
    await _grant(database, client_id)
    result = await _evaluate(database, client_id, [])
    assert isinstance(result, Decision)
    assert result.allowed == ("full_name", "date_of_birth", "permanent_address")


async def test_another_purpose_is_denied(database: Database) -> None:
    client_id = await _client(database)
    await _grant(database, client_id)
    result = await _evaluate(database, client_id, ["full_name"], purpose="TAX_REFUND")
    assert isinstance(result, Denial) and result.reason is DenialReason.PURPOSE_NOT_GRANTED


async def test_sensitive_fields_need_a_grant_naming_them(database: Database) -> None:
    client_id = await _client(database)
    await _grant(database, client_id)
    result = await _evaluate(database, client_id, ["full_name", "religion", "blood_type"])
    assert isinstance(result, Decision)
    assert result.allowed == ("full_name",) and result.withheld == ("religion", "blood_type")
    await _grant(
        database, client_id, fields=["full_name", "blood_type"], purposes=["EMERGENCY_CARE"]
    )
    care = await _evaluate(database, client_id, ["religion", "blood_type"], "EMERGENCY_CARE")
    assert isinstance(care, Decision)
    assert care.allowed == ("blood_type",) and care.withheld == ("religion",)


async def test_only_sensitive_fields_asked_without_grant_is_denied(database: Database) -> None:
    client_id = await _client(database)
    await _grant(database, client_id)
    result = await _evaluate(database, client_id, ["religion"])
    assert isinstance(result, Denial) and result.reason is DenialReason.FIELDS_NOT_GRANTED
    assert result.withheld == ("religion",)


async def test_a_grant_outside_its_window_is_denied(database: Database) -> None:
    client_id = await _client(database)
    await _grant(
        database,
        client_id,
        valid_from=_now() - dt.timedelta(days=30),
        valid_until=_now() - dt.timedelta(days=1),
    )
    expired = await _evaluate(database, client_id, ["full_name"])
    assert isinstance(expired, Denial) and expired.reason is DenialReason.GRANT_EXPIRED

    other = await _client(database)
    await _grant(database, other, valid_from=_now() + dt.timedelta(days=1))
    early = await _evaluate(database, other, ["full_name"])
    assert isinstance(early, Denial) and early.reason is DenialReason.GRANT_NOT_YET_VALID


async def test_revocation_counts_on_the_next_evaluation(database: Database) -> None:
    client_id = await _client(database)
    grant_id = await _grant(database, client_id)
    assert isinstance(await _evaluate(database, client_id, ["full_name"]), Decision)
    revoked = await registry.revoke(database, grant_id, by="admin-2", reason="contract ended")
    assert revoked.revoked_by == "admin-2" and revoked.revoke_reason == "contract ended"
    result = await _evaluate(database, client_id, ["full_name"])
    assert isinstance(result, Denial) and result.reason is DenialReason.GRANT_REVOKED


async def test_a_disabled_client_is_denied_despite_its_grants(database: Database) -> None:
    client_id = await _client(database)
    await _grant(database, client_id)
    await registry.disable(database, client_id, by="admin")
    result = await _evaluate(database, client_id, ["full_name"])
    assert isinstance(result, Denial) and result.reason is DenialReason.CLIENT_DISABLED


async def test_the_widest_live_grant_for_the_purpose_is_used(database: Database) -> None:
    client_id = await _client(database)
    await _grant(database, client_id, fields=["full_name"])
    wide = await _grant(database, client_id, fields=["full_name", "sex", "home_town"])
    result = await _evaluate(database, client_id, ["full_name", "home_town"])
    assert isinstance(result, Decision) and result.grant.grant_id == wide


async def test_quota_and_disclosure_delay_are_carried_by_the_decision(database: Database) -> None:
    client_id = await _client(database)
    await _grant(database, client_id, daily_quota=500, disclosure_delay="P30D")
    result = await _evaluate(database, client_id, ["full_name"])
    assert isinstance(result, Decision) and result.daily_quota == 500
    at = _now()
    assert result.hidden_until(at) == at + dt.timedelta(days=30)


async def test_grants_list_filters_by_client_purpose_and_liveness(database: Database) -> None:
    a, b = await _client(database), await _client(database)
    g1 = await _grant(database, a)
    await _grant(database, b, purposes=["TAX_REFUND"])
    await registry.revoke(database, await _grant(database, a), by="x")
    assert [g.grant_id for g in await registry.grants(database, client_id=a, live_only=True)] == [
        g1
    ]
    assert len(await registry.grants(database, purpose="TAX_REFUND")) == 1
    assert len(await registry.grants(database)) == 3


@pytest.mark.parametrize(
    "change",
    [
        {"legal_basis": "   "},
        {"fields": ["full_name", "favourite_colour"]},
        {"purposes": ["lower case"]},
        {"fields": []},
        {"valid_from": "2027-01-02T00:00:00+07:00", "valid_until": "2027-01-01T00:00:00+07:00"},
        {"valid_until": "2027-01-01T00:00:00"},
        {"daily_quota": 0},
    ],
)
def test_an_invalid_grant_cannot_be_issued(change: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        GrantSpec.model_validate(
            {
                "client_id": "pg-1",
                "fields": ["full_name"],
                "purposes": [BENEFIT],
                "legal_basis": LAW,
            }
            | change
        )


async def _epoch(db: Database) -> str | None:
    async with db.sessions() as session:
        return await get_state(session, POLICY_EPOCH)


async def test_cached_policy_is_used_only_while_the_epoch_stands(database: Database) -> None:
    cache = policy.PolicyCache()
    client_id = await _client(database)
    grant_id = await _grant(database, client_id)
    before = await _epoch(database)
    assert isinstance(
        await cache.evaluate(database, client_id, ["full_name"], BENEFIT, before), Decision
    )
    await registry.revoke(database, grant_id, by="admin-2", reason="contract ended")
    after = await _epoch(database)
    assert after is not None and after != before  # the change moved the epoch in its transaction
    # A request that read the old epoch (before the revocation committed) may still be served...
    assert isinstance(
        await cache.evaluate(database, client_id, ["full_name"], BENEFIT, before), Decision
    )
    # ...every request reading the new one sees the revocation, and so does one without an epoch.
    for epoch in (after, None):
        verdict = await cache.evaluate(database, client_id, ["full_name"], BENEFIT, epoch)
        assert isinstance(verdict, Denial) and verdict.reason is DenialReason.GRANT_REVOKED


async def test_registering_or_disabling_a_client_moves_the_epoch(database: Database) -> None:
    first = await _epoch(database)
    client_id = await _client(database)
    second = await _epoch(database)
    await registry.disable(database, client_id, by="admin-1")
    third = await _epoch(database)
    assert len({first, second, third}) == 3
