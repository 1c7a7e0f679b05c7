"""The registry contract, run unchanged against the REST and the SOAP connector over real HTTP."""

from __future__ import annotations

import datetime as dt

import pytest

from connectors.base import PopulationRegistry, ResidentNotFound, UpstreamRejected
from connectors.signing import Credentials
from schemas.fields import FIELD_NAMES
from schemas.registry import LookupRequest, NameMatch, Verification, VerifyRequest
from schemas.resident import Resident
from schemas.text import name_key_ascii
from tests.connectors.conftest import Sandbox, build


def lookup(personal_id: str, *fields: str) -> LookupRequest:
    return LookupRequest(
        personal_id=personal_id,
        fields=fields,
        purpose="SOCIAL_PROTECTION",
        reason="Thẩm định hồ sơ trợ cấp",
        requesting_unit="Sở LĐ-TB&XH Cần Thơ",
    )


async def test_connector_satisfies_the_protocol(registry: PopulationRegistry) -> None:
    assert isinstance(registry, PopulationRegistry)
    await registry.ping()


async def test_lookup_returns_exactly_the_requested_fields(
    registry: PopulationRegistry, sandbox: Sandbox
) -> None:
    person = sandbox.resident(0, relation_to_household_head="Vợ")
    result = await registry.lookup(
        lookup(person["personal_id"], "phone", "full_name", "household", "relatives")
    )
    assert list(result.fields) == ["full_name", "relatives", "household", "phone"]
    assert result.fields["full_name"] == person["full_name"]
    assert result.fields["household"] == person["household"]
    assert result.fields["relatives"] == person["relatives"]
    assert result.fields["phone"] == person["phone"]


async def test_lookup_of_every_field_equals_the_registry_record(
    registry: PopulationRegistry, sandbox: Sandbox
) -> None:
    for person in list(sandbox.residents.values())[:40]:
        result = await registry.lookup(lookup(person["personal_id"], *FIELD_NAMES))
        assert result.fields == person
        Resident.model_validate(result.fields)


async def test_empty_fields_are_null_and_empty_lists(
    registry: PopulationRegistry, sandbox: Sandbox
) -> None:
    person = sandbox.resident(0, date_of_death=None, other_names=[], email=None)
    result = await registry.lookup(
        lookup(person["personal_id"], "date_of_death", "other_names", "email")
    )
    assert result.fields == {"other_names": [], "date_of_death": None, "email": None}


async def test_lookup_of_an_unknown_resident_raises_not_found(
    registry: PopulationRegistry, sandbox: Sandbox
) -> None:
    unknown = "092199000000"
    assert unknown not in sandbox.residents
    with pytest.raises(ResidentNotFound) as caught:
        await registry.lookup(lookup(unknown, "full_name"))
    assert unknown not in str(caught.value)


async def test_verify_matches_id_name_and_date_of_birth(
    registry: PopulationRegistry, sandbox: Sandbox
) -> None:
    person = sandbox.resident(3)
    verdict = await registry.verify(
        VerifyRequest(
            personal_id=person["personal_id"],
            full_name="  " + person["full_name"].upper() + " ",
            date_of_birth=person["date_of_birth"],
        )
    )
    assert verdict == Verification(
        found=True, match=True, personal_id=True, full_name=NameMatch.EXACT, date_of_birth=True
    )


async def test_verify_without_diacritics_is_reported_but_is_no_match(
    registry: PopulationRegistry, sandbox: Sandbox
) -> None:
    person = sandbox.resident(5)
    verdict = await registry.verify(
        VerifyRequest(
            personal_id=person["personal_id"],
            full_name=name_key_ascii(person["full_name"]),
            date_of_birth=person["date_of_birth"],
        )
    )
    assert verdict.full_name is NameMatch.WITHOUT_DIACRITICS
    assert verdict.date_of_birth and not verdict.match


async def test_verify_with_another_date_of_birth_is_no_match(
    registry: PopulationRegistry, sandbox: Sandbox
) -> None:
    person = sandbox.resident(7)
    other_day = dt.date.fromisoformat(person["date_of_birth"]) + dt.timedelta(days=1)
    verdict = await registry.verify(
        VerifyRequest(
            personal_id=person["personal_id"],
            full_name=person["full_name"],
            date_of_birth=other_day,
        )
    )
    assert verdict.found and verdict.full_name is NameMatch.EXACT
    assert not verdict.date_of_birth and not verdict.match


async def test_verify_of_an_unknown_resident_is_not_found(registry: PopulationRegistry) -> None:
    verdict = await registry.verify(
        VerifyRequest(
            personal_id="092199000000", full_name="Nguyễn Văn An", date_of_birth="1999-01-01"
        )
    )
    assert verdict == Verification(
        found=False, match=False, personal_id=False, full_name=NameMatch.NO, date_of_birth=False
    )


async def test_verify_batch_answers_each_request_in_order_across_chunks(
    registry: PopulationRegistry, sandbox: Sandbox
) -> None:
    people = list(sandbox.residents.values())[:1100]
    requests = [
        VerifyRequest(
            personal_id=p["personal_id"],
            full_name=p["full_name"] if i % 2 == 0 else "Trần Thị Không Khớp",
            date_of_birth=p["date_of_birth"],
        )
        for i, p in enumerate(people)
    ]
    verdicts = await registry.verify_batch(requests)
    assert len(verdicts) == 1100
    assert all(isinstance(v, Verification) for v in verdicts)
    assert [v.match for v in verdicts if isinstance(v, Verification)] == [
        i % 2 == 0 for i in range(1100)
    ]
    assert sandbox.faults.calls == 2  # 1,000 + 100


@pytest.mark.parametrize("kind", ["rest", "soap"])
async def test_wrong_credentials_are_rejected(kind: str, sandbox: Sandbox) -> None:
    forged = Credentials(
        sandbox.credentials.app_name, sandbox.credentials.access_key, "not-the-secret"
    )
    connector = build(kind, sandbox.url, forged)
    try:
        with pytest.raises(UpstreamRejected):
            await connector.verify(
                VerifyRequest(
                    personal_id="092199000000", full_name="Lê Văn Tám", date_of_birth="1999-02-02"
                )
            )
    finally:
        await connector.close()
    assert sandbox.faults.calls == 0
