"""The resident record of the National Population Database, built on the field catalogue."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, model_validator

from schemas.personal_id import OldIdNumber, PersonalId, Sex
from schemas.text import NfcStr

MaritalStatus = Literal["single", "married", "divorced", "widowed"]
BloodType = Literal["A", "B", "AB", "O", "A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"]
RelationKind = Literal[
    "father", "mother", "spouse", "child", "legal_representative", "represented_person"
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IdCard(_Strict):
    """Item 14: the identity card's issue date, issuer and validity."""

    issued_on: dt.date
    issued_by: NfcStr
    valid_until: dt.date | None = None


class Relative(_Strict):
    """Item 15: a parent, spouse, child or representative, with their identifiers."""

    relation: RelationKind
    full_name: NfcStr
    personal_id: PersonalId | None = None
    old_id_number: OldIdNumber | None = None
    nationality: NfcStr = "Việt Nam"


class HouseholdMember(_Strict):
    personal_id: PersonalId
    full_name: NfcStr
    relation_to_head: NfcStr


class Household(_Strict):
    """Item 23: the household head and members."""

    head_personal_id: PersonalId
    head_full_name: NfcStr
    members: tuple[HouseholdMember, ...] = ()


class TemporaryAbsence(_Strict):
    """Item 19: a declared temporary absence."""

    declared: bool
    destination: NfcStr | None = None
    until: dt.date | None = None


class Resident(_Strict):
    """One resident with the 26 fields of the Law on Identification 2023, Art. 9.

    Only the identifying core is required; the registry may leave any other field empty.
    """

    full_name: NfcStr = Field(min_length=1, max_length=200)
    other_names: tuple[NfcStr, ...] = ()
    personal_id: PersonalId
    date_of_birth: dt.date
    sex: Sex
    place_of_birth: NfcStr | None = None
    birth_registration_place: NfcStr | None = None
    home_town: NfcStr | None = None
    ethnicity: NfcStr | None = None
    religion: NfcStr | None = None
    nationality: NfcStr = "Việt Nam"
    blood_type: BloodType | None = None
    old_id_number: OldIdNumber | None = None
    id_card: IdCard | None = None
    relatives: tuple[Relative, ...] = ()
    permanent_address: NfcStr | None = None
    temporary_address: NfcStr | None = None
    current_address: NfcStr | None = None
    temporary_absence: TemporaryAbsence | None = None
    residence_file_number: NfcStr | None = None
    marital_status: MaritalStatus | None = None
    relation_to_household_head: NfcStr | None = None
    household: Household | None = None
    date_of_death: dt.date | None = None
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9]{9,12}$")
    email: EmailStr | None = None

    @model_validator(mode="after")
    def _id_agrees_with_person(self) -> Resident:
        if not self.personal_id.consistent_with(self.date_of_birth, self.sex):
            raise ValueError("personal ID disagrees with the date of birth or sex")
        if self.date_of_death is not None and self.date_of_death < self.date_of_birth:
            raise ValueError("date of death precedes date of birth")
        return self

    def select(self, fields: tuple[str, ...] | list[str]) -> dict[str, object]:
        """JSON-ready values of the named catalogue fields only."""
        return self.model_dump(mode="json", include=set(fields))
