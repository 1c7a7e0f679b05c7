"""Request and response bodies of the gateway's resident data API (REST face, OpenAPI 3.1)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema

from schemas.fields import FIELD_NAMES, check_field_names
from schemas.personal_id import PersonalId
from schemas.text import clean_text

_NAMES = frozenset(FIELD_NAMES)


def _catalogue_name(name: str) -> str:
    if name not in _NAMES:
        check_field_names([name])  # raises with the catalogue's own message
    return name


FieldName = Annotated[
    str,
    AfterValidator(_catalogue_name),
    WithJsonSchema({"type": "string", "enum": list(FIELD_NAMES)}),
]
"""A resident field of the catalogue (Law on Identification 2023, Art. 9)."""

# Purpose codes are short upper-case codes, e.g. UNEMPLOYMENT_BENEFIT (Estonia-style reason codes).
PurposeCode = Annotated[
    str, Field(pattern=r"^[A-Z][A-Z0-9_]{1,63}$", examples=["UNEMPLOYMENT_BENEFIT"])
]
# Lengths are checked on the text as sent, then it is normalised (NFC, spacing collapsed).
Reason = Annotated[str, Field(min_length=3, max_length=500), AfterValidator(clean_text)]
FullName = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(clean_text)]
CaseRef = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[\w./:-]+$")]


class _Body(BaseModel):
    # Strict: a date is an ISO string, a name is a string; nothing is coerced from numbers.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Purposeful(_Body):
    """Every call names a purpose code and a reason, and may carry a case reference."""

    purpose: PurposeCode
    reason: Reason
    case_ref: CaseRef | None = None


class LookupBody(Purposeful):
    personal_id: PersonalId
    fields: tuple[FieldName, ...] = Field(min_length=1, max_length=len(FIELD_NAMES))


class LookupResponse(_Body):
    request_id: str
    purpose: str
    fields: dict[str, Any] = Field(description="granted fields, intersected with those asked for")
    withheld: list[str] = Field(description="fields asked for but not granted for this purpose")


class VerifyItem(_Body):
    personal_id: PersonalId
    full_name: FullName
    date_of_birth: dt.date


class VerifyBody(Purposeful, VerifyItem):
    pass


class Matched(_Body):
    personal_id: bool = Field(description="a resident with this personal ID exists")
    full_name: bool = Field(description="the name matches exactly (NFC, case, spacing aside)")
    date_of_birth: bool


class VerifyResponse(_Body):
    request_id: str
    match: bool = Field(description="ID, name and date of birth all match")
    matched: Matched
    name_match: Literal["exact", "without_diacritics", "no"] = Field(
        description="`without_diacritics`: the name matches only when tone marks are ignored"
    )


class VerifyBatchBody(Purposeful):
    items: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=1000,
        description="each item {personal_id, full_name, date_of_birth}; validated one by one",
    )


class ItemError(_Body):
    type: str
    detail: str


class VerifyBatchItem(_Body):
    index: int
    match: bool | None = None
    matched: Matched | None = None
    name_match: Literal["exact", "without_diacritics", "no"] | None = None
    error: ItemError | None = None


class VerifyBatchResponse(_Body):
    request_id: str
    results: list[VerifyBatchItem]
    summary: dict[str, int]
