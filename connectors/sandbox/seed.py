"""Synthetic residents for the sandbox: households in Cần Thơ, deterministic per seed, bulk-loaded.

Every personal ID agrees with its holder (Decree 137/2015 Art. 13: province, century-and-sex digit,
birth year); relatives and household members point to other seeded residents.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable, Iterator
from itertools import accumulate
from typing import Any

from connectors.sandbox import names as N
from connectors.sandbox.store import ResidentStore
from schemas.provinces import PROVINCES

MAX_RESIDENTS = 1_000_000  # the six random digits are a permutation of the resident's index
REFERENCE_DATE = dt.date(2025, 1, 1)  # "today" of the synthetic world, fixed for determinism
_PERMUTE = 387_413  # coprime with 10**6, so i -> (i * _PERMUTE + offset) % 10**6 is a bijection
_HOUSEHOLD_SIZES = ((1, 15), (2, 20), (3, 25), (4, 25), (5, 10), (6, 5))


def _weighted(pairs: tuple[tuple[Any, int], ...]) -> tuple[list[Any], list[int]]:
    return [p[0] for p in pairs], list(accumulate(p[1] for p in pairs))


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.offset = self.rng.randrange(10**6)
        self.index = 0
        self.households = 0
        self._surnames = _weighted(N.SURNAMES)
        self._ethnicities = _weighted(N.ETHNICITIES)
        self._religions = _weighted(N.RELIGIONS)
        self._blood = _weighted(N.BLOOD_TYPES)
        self._sizes = _weighted(_HOUSEHOLD_SIZES)

    def pick(self, table: tuple[list[Any], list[int]]) -> Any:
        return self.rng.choices(table[0], cum_weights=table[1])[0]

    def personal_id(self, sex: str, birth_year: int) -> str:
        r = self.rng.random()
        province = "092" if r < 0.8 else self.rng.choice(N.NEARBY_PROVINCES)
        century = (birth_year // 100 - 19) * 2 + (sex == "female")
        serial = (self.index * _PERMUTE + self.offset) % 10**6
        self.index += 1
        return f"{province}{century}{birth_year % 100:02d}{serial:06d}"

    def address(self) -> str:
        ward, district = self.rng.choice(N.WARD_LIST)
        number = self.rng.randint(1, 350)
        street = self.rng.choice(N.STREETS)
        return f"Số {number}, {street}, Phường {ward}, {district}, {N.CITY}"

    def name(self, sex: str, surname: str | None = None) -> str:
        surname = surname or self.pick(self._surnames)
        return f"{surname} {self.rng.choice(N.MIDDLE[sex])} {self.rng.choice(N.GIVEN[sex])}"

    def birth_date(self, age: int) -> dt.date:
        year = REFERENCE_DATE.year - 1 - age
        return dt.date(year, 1, 1) + dt.timedelta(days=self.rng.randrange(365))

    def person(self, sex: str, age: int, surname: str | None = None) -> dict[str, Any]:
        rng = self.rng
        dob = self.birth_date(age)
        pid = self.personal_id(sex, dob.year)
        province = PROVINCES[pid[:3]]
        adult = age >= 18
        person: dict[str, Any] = {
            "full_name": self.name(sex, surname),
            "other_names": [],
            "personal_id": pid,
            "date_of_birth": dob.isoformat(),
            "sex": sex,
            "place_of_birth": province if pid[:3] != "092" else N.CITY,
            "birth_registration_place": province if pid[:3] != "092" else N.CITY,
            "home_town": PROVINCES[rng.choice((*N.NEARBY_PROVINCES, "092", "092"))],
            "ethnicity": self.pick(self._ethnicities),
            "religion": self.pick(self._religions),
            "nationality": "Việt Nam",
            "blood_type": self.pick(self._blood) if rng.random() < 0.6 else None,
            "old_id_number": None,
            "id_card": None,
            "relatives": [],
            "permanent_address": None,
            "temporary_address": None,
            "current_address": None,
            "temporary_absence": None,
            "residence_file_number": None,
            "marital_status": "single",
            "relation_to_household_head": None,
            "household": None,
            "date_of_death": None,
            "phone": None,
            "email": None,
        }
        if rng.random() < 0.03:
            person["other_names"] = [person["full_name"].rsplit(" ", 1)[-1]]
        if age >= 14:
            person["id_card"] = self.id_card(dob, age)
        if adult and dob.year < 2000 and rng.random() < 0.7:
            person["old_id_number"] = f"36{rng.randrange(10**7):07d}"
        if adult and rng.random() < 0.75:
            person["phone"] = f"0{rng.choice('3789')}{rng.randrange(10**8):08d}"
            if rng.random() < 0.3:
                person["email"] = f"user{pid[-6:]}{rng.randrange(100)}@example.vn"
        death_chance = 0.06 if age >= 65 else 0.004
        if rng.random() < death_chance:
            lived = rng.randrange((REFERENCE_DATE - dob).days)
            person["date_of_death"] = (dob + dt.timedelta(days=lived)).isoformat()
        return person

    def id_card(self, dob: dt.date, age: int) -> dict[str, Any]:
        issued = dt.date(2016, 1, 1) + dt.timedelta(days=self.rng.randrange(3200))
        issued = max(issued, _add_years(dob, 14))
        age_at_issue = issued.year - dob.year
        # Law on Identification 2023 Art. 21: cards are renewed at 14, 25, 40 and 60.
        milestone = next((m for m in (25, 40, 60) if age_at_issue < m), None)
        until = _add_years(dob, milestone) if milestone else None
        return {
            "issued_on": issued.isoformat(),
            "issued_by": N.ID_ISSUER,
            "valid_until": until.isoformat() if until else None,
        }

    def household(self) -> list[dict[str, Any]]:
        rng = self.rng
        self.households += 1
        size = self.pick(self._sizes)
        head_sex = "male" if rng.random() < 0.7 else "female"
        head_age = rng.randint(24, 85)
        head = self.person(head_sex, head_age)
        members: list[tuple[dict[str, Any], str]] = [(head, "Chủ hộ")]
        spouse = None
        if size >= 2 and rng.random() < 0.85:
            other = "female" if head_sex == "male" else "male"
            spouse_age = max(18, min(90, head_age + rng.randint(-6, 6)))
            spouse = self.person(other, spouse_age)
            members.append((spouse, "Vợ" if other == "female" else "Chồng"))
        father = head if head_sex == "male" else spouse
        surname = (father or head)["full_name"].split(" ", 1)[0]
        for _ in range(size - len(members)):
            child_age = max(0, head_age - rng.randint(20, 40))
            child = self.person(rng.choice(("male", "female")), child_age, surname)
            members.append((child, "Con"))
        self._link(head, spouse, [m for m, rel in members if rel == "Con"])
        self._place(members)
        return [m for m, _ in members]

    def _link(
        self, head: dict[str, Any], spouse: dict[str, Any] | None, children: list[dict[str, Any]]
    ) -> None:
        parents = [p for p in (head, spouse) if p is not None]
        if spouse is not None:
            head["marital_status"] = spouse["marital_status"] = "married"
            head["relatives"].append(_relative("spouse", spouse))
            spouse["relatives"].append(_relative("spouse", head))
        elif head_age_years(head) >= 30:
            head["marital_status"] = self.rng.choice(("single", "divorced", "widowed"))
        for child in children:
            for parent in parents:
                kind = "father" if parent["sex"] == "male" else "mother"
                child["relatives"].append(_relative(kind, parent))
                parent["relatives"].append(_relative("child", child))

    def _place(self, members: list[tuple[dict[str, Any], str]]) -> None:
        rng = self.rng
        home = self.address()
        file_number = f"092{self.households:09d}"
        head = members[0][0]
        roster = [
            {
                "personal_id": m["personal_id"],
                "full_name": m["full_name"],
                "relation_to_head": rel,
            }
            for m, rel in members[1:]
        ]
        household = {
            "head_personal_id": head["personal_id"],
            "head_full_name": head["full_name"],
            "members": roster,
        }
        for person, relation in members:
            person["permanent_address"] = home
            person["current_address"] = home
            person["residence_file_number"] = file_number
            person["relation_to_household_head"] = relation
            person["household"] = household
            if person["date_of_death"] is None and rng.random() < 0.08:
                person["temporary_address"] = person["current_address"] = self.address()
            elif person["date_of_death"] is None and rng.random() < 0.02:
                until = REFERENCE_DATE + dt.timedelta(days=rng.randint(30, 700))
                person["temporary_absence"] = {
                    "declared": True,
                    "destination": rng.choice(N.ABSENCE_DESTINATIONS),
                    "until": until.isoformat(),
                }


def head_age_years(person: dict[str, Any]) -> int:
    return REFERENCE_DATE.year - int(person["date_of_birth"][:4])


def _relative(kind: str, person: dict[str, Any]) -> dict[str, Any]:
    return {
        "relation": kind,
        "full_name": person["full_name"],
        "personal_id": person["personal_id"],
        "old_id_number": person["old_id_number"],
        "nationality": "Việt Nam",
    }


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def residents(count: int, seed: int) -> Iterator[dict[str, Any]]:
    """Exactly `count` residents (whole households, the last one cut short), same for a seed."""
    if not 0 <= count <= MAX_RESIDENTS:
        raise ValueError(f"the sandbox holds between 0 and {MAX_RESIDENTS:,} residents")
    gen = _Generator(seed)
    produced = 0
    while produced < count:
        for person in gen.household():
            if produced == count:
                return
            produced += 1
            yield person


async def seed_store(
    store: ResidentStore,
    count: int,
    seed: int,
    *,
    chunk: int = 20_000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Replace the store's residents with `count` generated ones; returns the number stored."""
    await store.create()
    await store.clear()
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    batch: list[dict[str, str]] = []
    stored = 0
    for person in residents(count, seed):
        batch.append({"personal_id": person["personal_id"], "data": dumps(person)})
        if len(batch) == chunk:
            await store.insert(batch)
            stored += len(batch)
            batch = []
            if progress:
                progress(stored)
    if batch:
        await store.insert(batch)
        stored += len(batch)
        if progress:
            progress(stored)
    return stored
