"""The field catalogue (Law on Identification 2023 Art. 9) and the Resident model."""

import datetime as dt

import pytest
from pydantic import ValidationError

from schemas.fields import CATALOGUE, FIELD_NAMES, SENSITIVE_FIELDS, UnknownField, check_field_names
from schemas.resident import Resident

CONTRACT_NAMES = (
    "full_name other_names personal_id date_of_birth sex place_of_birth birth_registration_place "
    "home_town ethnicity religion nationality blood_type old_id_number id_card relatives "
    "permanent_address temporary_address current_address temporary_absence residence_file_number "
    "marital_status relation_to_household_head household date_of_death phone email"
).split()


def test_catalogue_holds_the_contract_names_in_order() -> None:
    assert list(FIELD_NAMES) == CONTRACT_NAMES
    assert set(Resident.model_fields) == set(CONTRACT_NAMES)
    assert all(spec.label_vi for spec in CATALOGUE.values())
    assert {"religion", "blood_type"} <= SENSITIVE_FIELDS
    assert CATALOGUE["phone"].sensitivity == "contact"


def test_check_field_names_rejects_unknown_and_orders() -> None:
    assert check_field_names(["sex", "full_name", "sex"]) == ("full_name", "sex")
    with pytest.raises(UnknownField, match="salary"):
        check_field_names(["full_name", "salary"])


def test_resident_rejects_an_id_inconsistent_with_birth_and_sex() -> None:
    base = {"full_name": "Trần Thị Mai", "personal_id": "092190012345", "sex": "female"}
    assert Resident(**base, date_of_birth=dt.date(1990, 5, 1)).personal_id.birth_year == 1990
    with pytest.raises(ValidationError, match="disagrees"):
        Resident(**base, date_of_birth=dt.date(1991, 5, 1))
    with pytest.raises(ValidationError, match="disagrees"):
        Resident(**{**base, "sex": "male"}, date_of_birth=dt.date(1990, 5, 1))


def test_resident_forbids_unknown_fields_and_selects_fields() -> None:
    r = Resident(
        full_name="Trần Thị Mai",
        personal_id="092190012345",
        sex="female",
        date_of_birth=dt.date(1990, 5, 1),
        religion="Phật giáo",
    )
    assert r.select(["full_name", "personal_id"]) == {
        "full_name": "Trần Thị Mai",
        "personal_id": "092190012345",
    }
    with pytest.raises(ValidationError):
        Resident.model_validate({**r.model_dump(), "salary": 1})
