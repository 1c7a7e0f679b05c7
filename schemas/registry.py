"""The national registry contract's messages: lookup, verification and batch verification."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, Optional

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator
from pydantic.fields import FieldInfo

from schemas.fields import check_field_names
from schemas.personal_id import PersonalId
from schemas.resident import Resident
from schemas.text import NfcStr, name_key, name_key_ascii

# A batch of verifications is capped so that one call stays bounded in time and size.
MAX_BATCH = 1000

# Catalogue fields whose value is a list: an empty value is `[]`, never null.
LIST_FIELDS: frozenset[str] = frozenset({"other_names", "relatives"})


def _optional(info: FieldInfo) -> Any:
    optional = FieldInfo.merge_field_infos(info, default=None)
    return (Optional[info.annotation], optional)  # noqa: UP045 - a runtime type, not a hint


# Every Resident field, each optional with the same type and constraints: an answer may carry any
# subset of the catalogue, so the whole-person checks of Resident do not apply here.
PartialResident: type[BaseModel] = create_model(
    "PartialResident",
    __config__=ConfigDict(extra="forbid", frozen=True),
    **{name: _optional(info) for name, info in Resident.model_fields.items()},
)


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LookupRequest(_Message):
    """Read named fields of one resident; like Estonia's, no search without a reason."""

    personal_id: PersonalId
    fields: tuple[str, ...] = Field(min_length=1, description="catalogue field names")
    purpose: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
    reason: NfcStr = Field(min_length=1, max_length=500)
    requesting_unit: NfcStr = Field(min_length=1, max_length=200)

    @field_validator("fields", mode="before")
    @classmethod
    def _known_fields(cls, value: Any) -> tuple[str, ...]:
        if isinstance(value, str) or not isinstance(value, list | tuple | set | frozenset):
            raise ValueError("fields must be a list of catalogue field names")
        return check_field_names(tuple(value))


class LookupResult(_Message):
    """The requested fields of one resident, as JSON-ready values checked against Resident's types.

    Only the names present in `fields` are kept; a requested field the registry left empty is
    `None` (or `[]` for list fields).
    """

    fields: dict[str, Any]

    @field_validator("fields")
    @classmethod
    def _typed_values(cls, value: dict[str, Any]) -> dict[str, Any]:
        names = check_field_names(tuple(value))
        filled = {n: ([] if value[n] is None and n in LIST_FIELDS else value[n]) for n in names}
        dumped = PartialResident.model_validate(filled).model_dump(mode="json", include=set(names))
        return {n: dumped[n] for n in names}


class VerifyRequest(_Message):
    """Does this ID, name and date of birth belong to one resident? Answers yes/no only."""

    personal_id: PersonalId
    full_name: NfcStr = Field(min_length=1, max_length=200)
    date_of_birth: dt.date


class VerifyBatchRequest(_Message):
    requests: tuple[VerifyRequest, ...] = Field(min_length=1, max_length=MAX_BATCH)


class NameMatch(StrEnum):
    EXACT = "exact"
    WITHOUT_DIACRITICS = "without_diacritics"
    NO = "no"


class Verification(_Message):
    """Which of the three items matched; `match` needs an exact name and the same date."""

    found: bool
    match: bool
    personal_id: bool
    full_name: NameMatch
    date_of_birth: bool


NOT_FOUND = Verification(
    found=False, match=False, personal_id=False, full_name=NameMatch.NO, date_of_birth=False
)


def compare_names(given: str, recorded: str) -> NameMatch:
    """DOMAIN.md: compare NFC, case-folded, whitespace-collapsed; then without diacritics."""
    if name_key(given) == name_key(recorded):
        return NameMatch.EXACT
    if name_key_ascii(given) == name_key_ascii(recorded):
        return NameMatch.WITHOUT_DIACRITICS
    return NameMatch.NO


def verify_against(request: VerifyRequest, full_name: str, date_of_birth: dt.date) -> Verification:
    """The verdict for a resident found under the request's ID."""
    name = compare_names(request.full_name, full_name)
    same_dob = request.date_of_birth == date_of_birth
    return Verification(
        found=True,
        match=name is NameMatch.EXACT and same_dob,
        personal_id=True,
        full_name=name,
        date_of_birth=same_dob,
    )
