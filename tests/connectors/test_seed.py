"""Synthetic residents: deterministic per seed, consistent with their IDs, bulk-loaded into SQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from connectors.sandbox.seed import residents, seed_store
from connectors.sandbox.store import ResidentStore
from schemas.personal_id import PersonalId
from schemas.resident import Resident
from store.engine import create_database
from tests.conftest import POSTGRES_URL


def test_the_same_seed_gives_the_same_residents() -> None:
    assert list(residents(300, seed=5)) == list(residents(300, seed=5))
    assert list(residents(300, seed=5)) != list(residents(300, seed=6))


def test_every_resident_is_valid_and_agrees_with_its_id() -> None:
    people = list(residents(3000, seed=11))
    ids = {p["personal_id"] for p in people}
    assert len(ids) == len(people) == 3000
    for person in people:
        resident = Resident.model_validate(person)
        pid = PersonalId(person["personal_id"])
        assert pid.consistent_with(resident.date_of_birth, resident.sex)
        assert resident.model_dump(mode="json") == person


def test_relatives_and_households_point_to_other_residents() -> None:
    people = list(residents(3000, seed=12))
    by_id = {p["personal_id"]: p for p in people}
    linked = 0
    for person in people:
        for relative in person["relatives"]:
            other = by_id.get(relative["personal_id"])
            if other is None:  # the last household may be cut short
                continue
            linked += 1
            assert other["full_name"] == relative["full_name"]
            if relative["relation"] == "spouse":
                assert person["personal_id"] in {r["personal_id"] for r in other["relatives"]}
        household = person["household"]
        if household["head_personal_id"] in by_id:
            head = by_id[household["head_personal_id"]]
            assert head["household"] == household
    assert linked > 2000


def test_the_population_looks_like_can_tho() -> None:
    people = list(residents(5000, seed=13))
    assert sum(p["personal_id"].startswith("092") for p in people) > 3000
    assert all("Thành phố Cần Thơ" in p["permanent_address"] for p in people)
    assert any(p["date_of_death"] for p in people)
    assert any(p["temporary_address"] for p in people)
    assert any(p["temporary_absence"] for p in people)
    assert any(not p["full_name"].isascii() for p in people)
    heads = [p for p in people if p["relation_to_household_head"] == "Chủ hộ"]
    assert 500 < len(heads) < 3000
    assert max(dt.date.fromisoformat(p["date_of_birth"]) for p in people) < dt.date(2025, 1, 1)


async def test_seeding_fills_sqlite_and_lookups_find_residents(tmp_path: Path) -> None:
    store = ResidentStore.open(f"sqlite+aiosqlite:///{tmp_path / 'sandbox.db'}")
    try:
        assert await seed_store(store, 2500, seed=3, chunk=1000) == 2500
        assert await store.count() == 2500
        first = next(residents(1, seed=3))
        assert await store.get(first["personal_id"]) == first
        assert await seed_store(store, 10, seed=3) == 10  # reseeding replaces
        assert await store.count() == 10
    finally:
        await store.close()


async def test_seeding_fills_postgresql(postgres_schema: str) -> None:
    store = ResidentStore(create_database(POSTGRES_URL, schema=postgres_schema, pool_size=2))
    try:
        assert await seed_store(store, 1200, seed=4, chunk=500) == 1200
        people = list(residents(1200, seed=4))
        assert await store.get(people[-1]["personal_id"]) == people[-1]
        found = await store.get_many([people[0]["personal_id"], "092199000000"])
        assert list(found) == [people[0]["personal_id"]]
    finally:
        await store.close()
