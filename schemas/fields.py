"""The resident field catalogue: the 26 fields of the Law on Identification 2023, Art. 9.

Machine names are part of the public contract: grants, requests and responses use them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


class Sensitivity(StrEnum):
    BASIC = "basic"
    CONTACT = "contact"
    # Sensitive personal data under Decree 13/2023/NĐ-CP Art. 2(4) (ethnic origin, religion,
    # health): such a field is released only by a grant that names it.
    SENSITIVE = "sensitive"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    article_item: int
    label_vi: str
    label_en: str
    sensitivity: Sensitivity


_B, _C, _S = Sensitivity.BASIC, Sensitivity.CONTACT, Sensitivity.SENSITIVE

_SPECS = (
    FieldSpec("full_name", 1, "Họ, chữ đệm và tên khai sinh", "Full birth name", _B),
    FieldSpec("other_names", 2, "Tên gọi khác", "Other names", _B),
    FieldSpec("personal_id", 3, "Số định danh cá nhân", "Personal ID number", _B),
    FieldSpec("date_of_birth", 4, "Ngày, tháng, năm sinh", "Date of birth", _B),
    FieldSpec("sex", 5, "Giới tính", "Sex", _B),
    FieldSpec("place_of_birth", 6, "Nơi sinh", "Place of birth", _B),
    FieldSpec("birth_registration_place", 7, "Nơi đăng ký khai sinh", "Birth registration", _B),
    FieldSpec("home_town", 8, "Quê quán", "Home town", _B),
    FieldSpec("ethnicity", 9, "Dân tộc", "Ethnicity", _S),
    FieldSpec("religion", 10, "Tôn giáo", "Religion", _S),
    FieldSpec("nationality", 11, "Quốc tịch", "Nationality", _B),
    FieldSpec("blood_type", 12, "Nhóm máu", "Blood type", _S),
    FieldSpec("old_id_number", 13, "Số Chứng minh nhân dân 9 số", "Old 9-digit ID number", _B),
    FieldSpec(
        "id_card",
        14,
        "Ngày, tháng, năm cấp, nơi cấp, thời hạn sử dụng thẻ Căn cước",
        "Identity card issue date, place and validity",
        _B,
    ),
    FieldSpec(
        "relatives",
        15,
        "Cha, mẹ, vợ, chồng, con, người đại diện hợp pháp, người được đại diện",
        "Parents, spouse, children, legal representatives",
        _B,
    ),
    FieldSpec("permanent_address", 16, "Nơi thường trú", "Permanent residence", _B),
    FieldSpec("temporary_address", 17, "Nơi tạm trú", "Temporary residence", _B),
    FieldSpec("current_address", 18, "Nơi ở hiện tại", "Current residence", _B),
    FieldSpec("temporary_absence", 19, "Tình trạng khai báo tạm vắng", "Temporary absence", _B),
    FieldSpec("residence_file_number", 20, "Số hồ sơ cư trú", "Residence file number", _B),
    FieldSpec("marital_status", 21, "Tình trạng hôn nhân", "Marital status", _B),
    FieldSpec(
        "relation_to_household_head",
        22,
        "Mối quan hệ với chủ hộ",
        "Relation to household head",
        _B,
    ),
    FieldSpec("household", 23, "Chủ hộ và các thành viên hộ gia đình", "Household", _B),
    FieldSpec("date_of_death", 24, "Ngày, tháng, năm chết hoặc mất tích", "Date of death", _B),
    FieldSpec("phone", 25, "Số thuê bao di động", "Mobile phone number", _C),
    FieldSpec("email", 25, "Địa chỉ thư điện tử", "E-mail address", _C),
)

CATALOGUE: MappingProxyType[str, FieldSpec] = MappingProxyType({s.name: s for s in _SPECS})
FIELD_NAMES: tuple[str, ...] = tuple(CATALOGUE)
SENSITIVE_FIELDS: frozenset[str] = frozenset(
    s.name for s in _SPECS if s.sensitivity is Sensitivity.SENSITIVE
)


class UnknownField(ValueError):
    """A name that is not in the catalogue."""


def check_field_names(names: list[str] | tuple[str, ...] | set[str]) -> tuple[str, ...]:
    """Return the names in catalogue order, de-duplicated; raise on any unknown name."""
    wanted = set(names)
    unknown = sorted(wanted - CATALOGUE.keys())
    if unknown:
        raise UnknownField(f"unknown resident field(s): {', '.join(unknown)}")
    return tuple(n for n in FIELD_NAMES if n in wanted)
