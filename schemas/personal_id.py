"""The 12-digit personal identification number and the 9-digit old identity card number.

Layout `PPP G YY RRRRRR` (Decree 137/2015/NĐ-CP Art. 13; Circular 07/2016/TT-BCA Art. 7;
Circular 59/2021/TT-BCA Art. 4): birth-registration province, century-and-sex digit, last two
digits of the birth year, six random digits. There is no check digit.

The number reveals sex, birth year and birth province, so it is personal data: `str()` and
`repr()` mask it; the clear digits are reached only through `.digits` or JSON serialisation.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from schemas.provinces import PROVINCES

Sex = Literal["male", "female"]

# Century-and-sex digit G: 1900s male 0 / female 1, 2000s 2/3, 2100s 4/5, 2200s 6/7, 2300s 8/9.
_CENTURY_BASE = {g: 1900 + 100 * (g // 2) for g in range(10)}


def _strip(raw: str) -> str:
    return "".join(raw.split())


def mask_id(digits: str) -> str:
    """`092*******12`: keep the first three and last two characters."""
    if len(digits) <= 5:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 5) + digits[-2:]


def id_pattern(today: dt.date) -> str:
    """A regular expression accepting exactly the IDs this module accepts on `today`."""
    provinces = "|".join(sorted(PROVINCES))
    tens, units = divmod(today.year % 100, 10)
    century_now = str(today.year // 100 * 2 - 38) + str(today.year // 100 * 2 - 37)
    past = "[0-9]" * 2
    this = f"{tens}[0-{units}]" if tens == 0 else f"(?:[0-{tens - 1}][0-9]|{tens}[0-{units}])"
    earlier = "".join(str(g) for g in range(int(century_now[0])))
    older = f"[{earlier}]{past}|" if earlier else ""
    return rf"^(?:{provinces})(?:{older}[{century_now}]{this})[0-9]{{6}}$"


class InvalidPersonalId(ValueError):
    """The text is not a valid personal identification number; the message never echoes it."""


class PersonalId:
    """A validated 12-digit personal identification number."""

    __slots__ = ("_digits",)

    def __init__(self, raw: str, *, today: dt.date | None = None) -> None:
        if not isinstance(raw, str):
            raise InvalidPersonalId("personal ID must be a string of 12 digits")
        digits = _strip(raw)
        if len(digits) != 12 or not digits.isascii() or not digits.isdigit():
            raise InvalidPersonalId("personal ID must be exactly 12 digits")
        if digits[:3] not in PROVINCES:
            raise InvalidPersonalId("personal ID has an unknown province code")
        year = _CENTURY_BASE[int(digits[3])] + int(digits[4:6])
        if year > (today or dt.date.today()).year:
            raise InvalidPersonalId("personal ID encodes a birth year in the future")
        self._digits = digits

    @property
    def digits(self) -> str:
        """The clear 12 digits. Never log or put in a URL."""
        return self._digits

    @property
    def province_code(self) -> str:
        return self._digits[:3]

    @property
    def province(self) -> str:
        return PROVINCES[self.province_code]

    @property
    def sex(self) -> Sex:
        return "male" if int(self._digits[3]) % 2 == 0 else "female"

    @property
    def century(self) -> int:
        """The first year of the birth century (1900, 2000, ...)."""
        return _CENTURY_BASE[int(self._digits[3])]

    @property
    def birth_year(self) -> int:
        return self.century + int(self._digits[4:6])

    @property
    def masked(self) -> str:
        return mask_id(self._digits)

    def consistent_with(self, date_of_birth: dt.date | None = None, sex: str | None = None) -> bool:
        """True when the ID's encoded birth year and sex agree with those given."""
        if date_of_birth is not None and date_of_birth.year != self.birth_year:
            return False
        return sex is None or sex == self.sex

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"PersonalId({self.masked!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PersonalId) and other._digits == self._digits

    def __hash__(self) -> int:
        return hash(("PersonalId", self._digits))

    @classmethod
    def _validate(cls, value: Any) -> PersonalId:
        if isinstance(value, PersonalId):
            return value
        try:
            return cls(value)
        except InvalidPersonalId as exc:
            raise PydanticCustomError("personal_id", str(exc)) from None

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls._validate,
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda v: v.digits, when_used="always"
            ),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "type": "string",
            "pattern": id_pattern(dt.date.today()),
            "description": "12-digit personal identification number (số định danh cá nhân): "
            "province code, century-and-sex digit, birth year, six digits",
        }


class OldIdNumber:
    """A 9-digit identity card number (CMND) issued before the 12-digit ID."""

    __slots__ = ("_digits",)

    def __init__(self, raw: str) -> None:
        digits = _strip(raw) if isinstance(raw, str) else ""
        if len(digits) != 9 or not digits.isascii() or not digits.isdigit():
            raise InvalidPersonalId("old ID card number must be exactly 9 digits")
        self._digits = digits

    @property
    def digits(self) -> str:
        return self._digits

    def __str__(self) -> str:
        return mask_id(self._digits)

    def __repr__(self) -> str:
        return f"OldIdNumber({mask_id(self._digits)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, OldIdNumber) and other._digits == self._digits

    def __hash__(self) -> int:
        return hash(("OldIdNumber", self._digits))

    @classmethod
    def _validate(cls, value: Any) -> OldIdNumber:
        if isinstance(value, OldIdNumber):
            return value
        try:
            return cls(value)
        except InvalidPersonalId as exc:
            raise PydanticCustomError("old_id_number", str(exc)) from None

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls._validate,
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda v: v.digits, when_used="always"
            ),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "pattern": r"^\d{9}$", "description": "9-digit CMND number"}
