"""Word lists for synthetic residents: Vietnamese names, Cần Thơ wards and streets, and the like."""

from schemas.places import CAN_THO_WARDS

SURNAMES = (
    ("Nguyễn", 31), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Huỳnh", 5), ("Hoàng", 3),
    ("Võ", 4), ("Phan", 4), ("Trương", 2), ("Bùi", 2), ("Đặng", 2), ("Đỗ", 2), ("Ngô", 2),
    ("Hồ", 2), ("Dương", 2), ("Đinh", 1), ("Lý", 1), ("Lâm", 2), ("Thạch", 1), ("Danh", 1),
    ("Châu", 1), ("Tô", 1), ("Quách", 1),
)  # fmt: skip
MIDDLE = {
    "male": ("Văn", "Minh", "Quốc", "Hữu", "Thanh", "Đức", "Công", "Hoàng", "Tấn", "Trọng"),
    "female": ("Thị", "Ngọc", "Thu", "Kim", "Mỹ", "Thanh", "Bích", "Hồng", "Thùy", "Diệu"),
}
GIVEN = {
    "male": (
        "An", "Bảo", "Cường", "Dũng", "Đạt", "Hải", "Hùng", "Khang", "Khoa", "Long", "Minh",
        "Nam", "Phúc", "Quang", "Sơn", "Tài", "Thắng", "Thịnh", "Trung", "Tuấn", "Vinh", "Việt",
        "Lộc", "Nhân", "Hiếu", "Tâm", "Toàn", "Phát", "Duy", "Kiệt",
    ),
    "female": (
        "Anh", "Châu", "Diễm", "Dung", "Giang", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh",
        "Mai", "Ngân", "Nhung", "Oanh", "Phương", "Quyên", "Thảo", "Trang", "Tuyết", "Vy",
        "Yến", "Nhi", "Trâm", "Ánh", "Hằng", "Loan", "Thủy", "My", "Xuân",
    ),
}  # fmt: skip

WARDS = CAN_THO_WARDS
WARD_LIST = tuple((ward, district) for district, wards in WARDS.items() for ward in wards)
STREETS = (
    "Đường 3 Tháng 2", "Đường 30 Tháng 4", "Đường Nguyễn Văn Cừ", "Đường Trần Hưng Đạo",
    "Đường Mậu Thân", "Đường Nguyễn Trãi", "Đại lộ Hòa Bình", "Đường Lý Tự Trọng",
    "Đường Trần Phú", "Đường Cách Mạng Tháng 8", "Đường Võ Văn Kiệt", "Đường Nguyễn Văn Linh",
    "Đường Hùng Vương", "Đường Phạm Ngũ Lão", "Đường Lê Lợi", "Đường Trần Văn Hoài",
    "Đường Lê Hồng Phong", "Đường Quang Trung", "Đường Trần Quang Diệu", "Đường Ngô Quyền",
)  # fmt: skip
CITY = "Thành phố Cần Thơ"
# Provinces of the Mekong Delta, where most non-local residents of Cần Thơ were born.
NEARBY_PROVINCES = ("093", "094", "086", "087", "089", "091", "084", "083", "095", "096", "079")
ETHNICITIES = (("Kinh", 90), ("Khmer", 6), ("Hoa", 3), ("Chăm", 1))
RELIGIONS = (
    ("Không", 70), ("Phật giáo", 18), ("Công giáo", 5), ("Phật giáo Hòa Hảo", 4),
    ("Cao Đài", 2), ("Tin Lành", 1),
)  # fmt: skip
BLOOD_TYPES = (("O+", 42), ("A+", 22), ("B+", 28), ("AB+", 6), ("O-", 1), ("A-", 1))
ID_ISSUER = "Cục Cảnh sát quản lý hành chính về trật tự xã hội"
ABSENCE_DESTINATIONS = ("Thành phố Hồ Chí Minh", "Tỉnh Bình Dương", "Tỉnh Đồng Nai", "Hà Nội")
