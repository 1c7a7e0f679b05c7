"""Place names of the gazetteer: Cần Thơ's districts and wards, the provinces, unit types.

The OCR reader checks a doubtful reading of an issuing body or an address against these
(`ocr.lexicon`); the sandbox registry draws its synthetic addresses from them.
"""

from collections.abc import Mapping
from types import MappingProxyType

from schemas.provinces import PROVINCES

# Cần Thơ's urban districts and their wards (before the 2025 reorganisation, as addresses
# on existing records still read).
CAN_THO_WARDS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "Quận Ninh Kiều": (
        "An Hòa", "An Khánh", "An Nghiệp", "An Cư", "An Phú", "Cái Khế", "Hưng Lợi", "Tân An",
        "Thới Bình", "Xuân Khánh",
    ),
    "Quận Bình Thủy": (
        "An Thới", "Bình Thủy", "Bùi Hữu Nghĩa", "Long Hòa", "Long Tuyền", "Thới An Đông",
        "Trà An", "Trà Nóc",
    ),
    "Quận Cái Răng": (
        "Ba Láng", "Hưng Phú", "Hưng Thạnh", "Lê Bình", "Phú Thứ", "Tân Phú", "Thường Thạnh",
    ),
    "Quận Ô Môn": (
        "Châu Văn Liêm", "Phước Thới", "Thới An", "Thới Hòa", "Thới Long", "Trường Lạc",
    ),
    "Quận Thốt Nốt": (
        "Thốt Nốt", "Thới Thuận", "Thuận An", "Thuận Hưng", "Trung Kiên", "Trung Nhứt",
        "Tân Hưng", "Tân Lộc",
    ),
})  # fmt: skip
CAN_THO_RURAL_DISTRICTS = ("Huyện Phong Điền", "Huyện Cờ Đỏ", "Huyện Thới Lai", "Huyện Vĩnh Thạnh")
# Streets of central Cần Thơ that addresses on its records name most (without "đường").
CAN_THO_STREETS = (
    "3 Tháng 2", "Ba Tháng Hai", "30 Tháng 4", "Cách Mạng Tháng Tám", "Châu Văn Liêm",
    "Đồng Khởi", "Hai Bà Trưng", "Hòa Bình", "Hùng Vương", "Huỳnh Cương", "Lê Hồng Phong",
    "Lê Lai", "Lê Lợi", "Lý Thường Kiệt", "Lý Tự Trọng", "Mạc Thiên Tích", "Mậu Thân",
    "Ngô Gia Tự", "Ngô Quyền", "Nguyễn An Ninh", "Nguyễn Thái Học", "Nguyễn Trãi",
    "Nguyễn Văn Cừ", "Nguyễn Văn Linh", "Nguyễn Văn Trỗi", "Nguyễn Việt Hồng", "Phạm Ngũ Lão",
    "Phan Đình Phùng", "Phan Văn Trị", "Quang Trung", "Tầm Vu", "Trần Bạch Đằng",
    "Trần Hưng Đạo", "Trần Phú", "Trần Quang Diệu", "Trần Văn Hoài", "Trần Văn Khéo",
    "Võ Văn Kiệt", "Xô Viết Nghệ Tĩnh",
)  # fmt: skip
UNIT_TYPES = (
    "tỉnh", "thành phố", "quận", "huyện", "thị xã", "phường", "xã", "thị trấn", "ấp", "khu vực",
    "tổ", "khóm",
)  # fmt: skip


def place_names() -> tuple[str, ...]:
    """Every unit name the gazetteer knows, without its type word: "Ninh Kiều", "Cần Thơ"…"""
    names = set(PROVINCES.values())
    for district, wards in CAN_THO_WARDS.items():
        names.add(district.split(" ", 1)[1])
        names.update(wards)
    names.update(d.split(" ", 1)[1] for d in CAN_THO_RURAL_DISTRICTS)
    return tuple(sorted(names))
