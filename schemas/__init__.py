"""popgate's data contract: pydantic models and validators, free of I/O."""

from schemas.fields import CATALOGUE, FIELD_NAMES, FieldSpec, Sensitivity
from schemas.personal_id import OldIdNumber, PersonalId
from schemas.resident import Resident
from schemas.text import name_key, name_key_ascii, to_nfc

__all__ = [
    "CATALOGUE",
    "FIELD_NAMES",
    "FieldSpec",
    "OldIdNumber",
    "PersonalId",
    "Resident",
    "Sensitivity",
    "name_key",
    "name_key_ascii",
    "to_nfc",
]
