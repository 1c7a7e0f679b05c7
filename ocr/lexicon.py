"""Settle a doubtful reading with the phrases the field must be made of.

An issuing body is a fixed phrase ("ỦY BAN NHÂN DÂN QUẬN NINH KIỀU"), an address names streets,
wards, districts and provinces, a summary (trích yếu) is written in the department's
administrative vocabulary, and a name starts with a surname. When the recogniser weighed two
readings of a word ("CÂN" / "CẦN", `ocr.hocr`), the one that completes a known phrase with its
neighbours ("CẦN THƠ") is the one written. A reading is taken only when exactly one candidate is
attested that way; otherwise the doubt stands and the field goes to review (`ocr.validate`).

A word inside a known phrase of two words or more is *confirmed*: a misreading would have to
make another known phrase, so its own recognition confidence no longer holds the field back.

Phrases: the gazetteer (`schemas.places`), the bodies and vocabulary below, and the archive's own
registers (`POPGATE_OCR_KNOWN_ISSUERS`, `POPGATE_OCR_KNOWN_PLACES`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from functools import lru_cache

from schemas.places import CAN_THO_STREETS, UNIT_TYPES, place_names
from schemas.text import name_key, name_key_ascii

# The bodies that issue procedure results in a province or city (People's Committees, their
# departments and offices), and the national motto of every header.
BODIES = (
    "Ủy ban nhân dân", "UBND", "Hội đồng nhân dân", "Cộng hòa xã hội chủ nghĩa Việt Nam",
    "Độc lập - Tự do - Hạnh phúc", "Sở Lao động - Thương binh và Xã hội", "Sở Tư pháp",
    "Sở Nội vụ", "Sở Y tế", "Sở Giáo dục và Đào tạo", "Sở Tài chính", "Sở Xây dựng",
    "Sở Kế hoạch và Đầu tư", "Sở Tài nguyên và Môi trường", "Sở Công Thương",
    "Sở Nông nghiệp và Phát triển nông thôn", "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Thông tin và Truyền thông", "Sở Giao thông vận tải", "Sở Khoa học và Công nghệ",
    "Phòng Lao động - Thương binh và Xã hội", "Phòng Tư pháp", "Phòng Nội vụ", "Công an",
    "Trung tâm Dịch vụ việc làm", "Bảo hiểm xã hội", "Văn phòng", "số", "đường", "hẻm",
)  # fmt: skip
# Words of the summaries of labour, invalids and social-affairs results (procedure names).
VOCABULARY = (
    "về việc", "hỗ trợ", "học nghề", "dạy nghề", "người lao động", "trợ cấp", "thất nghiệp",
    "xã hội", "hằng tháng", "hàng tháng", "một lần", "chi phí", "mai táng", "hoàn thành",
    "khóa đào tạo", "đào tạo", "người có công", "với cách mạng", "xác nhận", "thông tin",
    "cư trú", "hộ nghèo", "hộ cận nghèo", "trích lục", "quyết định", "hồ sơ", "bảo hiểm",
    "việc làm", "chế độ", "chính sách", "ưu đãi", "thương binh", "liệt sĩ", "bệnh binh",
    "người khuyết tật", "người cao tuổi", "bảo trợ xã hội", "trẻ em", "hoàn cảnh đặc biệt",
    "khó khăn", "giáo dục nghề nghiệp", "giấy phép", "lao động", "nước ngoài", "an toàn",
    "vệ sinh", "tiền lương", "phụ cấp", "điều dưỡng", "phục hồi chức năng", "cai nghiện",
    "ma túy", "công nhận", "cấp lại", "cấp đổi", "điều chỉnh", "thôi hưởng", "tạm dừng",
    "chấm dứt", "tiếp tục", "danh sách", "gia đình", "thân nhân", "thờ cúng", "di chuyển",
    "hài cốt", "trợ giúp", "học bổng", "miễn giảm", "học phí", "kinh phí", "vay vốn",
    "giải quyết", "thủ tục", "hành chính", "đăng ký", "giới thiệu", "tư vấn",
)  # fmt: skip
# The commonest Vietnamese surnames: together they cover nearly every resident.
SURNAMES = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý", "Trương", "Đinh", "Lâm", "Thạch", "Danh", "Châu", "Tô",
    "Quách", "Cao", "Mai", "Lưu", "Đoàn", "Tạ", "Hà", "Tôn", "Lương", "Kiều", "Triệu", "La",
    "Chu", "Thái", "Từ", "Diệp", "Hứa", "Mạc", "Nông", "Kim", "Tăng", "Trịnh", "Đàm", "Lại",
    "Lữ", "Mã", "Ông", "Âu", "Bạch", "Thân", "Giang", "Khúc", "Lục", "Phùng", "Tống",
    "Vương", "Văn", "Đào", "Đồng", "Nghiêm", "Trang", "Thủy", "Quang",
)  # fmt: skip
_STRIP = ".,;:!?()\"'-–/"


def tokens(text: str) -> list[str]:
    """Matching keys of the words of `text`, punctuation-only words dropped."""
    return [t for t in (name_key(w).strip(_STRIP) for w in text.split()) if t]


class Lexicon:
    """Phrases indexed by each of their words. `head_only`: phrases may only start a value."""

    def __init__(self, phrases: Iterable[str], *, head_only: bool = False) -> None:
        self.head_only = head_only
        self._by_word: dict[str, set[tuple[str, ...]]] = {}
        self._by_base: dict[str, set[tuple[str, ...]]] = {}
        for phrase in phrases:
            words = tuple(tokens(phrase))
            for word in words:
                self._by_word.setdefault(word, set()).add(words)
                self._by_base.setdefault(name_key_ascii(word), set()).add(words)

    def _phrases_at(self, words: Sequence[str], at: int) -> Iterable[tuple[str, ...]]:
        for phrase in self._by_word.get(words[at], ()):
            for offset, word in enumerate(phrase):
                start = at - offset
                if word != words[at] or start < 0 or (self.head_only and start != 0):
                    continue
                if tuple(words[start : start + len(phrase)]) == phrase:
                    yield phrase

    def attested(self, words: Sequence[str], at: int) -> bool:
        """Whether word `at` of `words` (matching keys) lies inside a known phrase there."""
        return any(True for _ in self._phrases_at(words, at))

    def confirms(self, words: Sequence[str], at: int) -> bool:
        """Whether word `at` lies inside a known phrase of two words or more."""
        return any(len(p) > 1 for p in self._phrases_at(words, at))

    def near(self, words: Sequence[str], at: int) -> list[str]:
        """Spellings of word `at` that would complete a known phrase its neighbours spell out
        exactly: "hãng" in "hãng tháng" → "hằng" (a tone mark read wrong, most likely). A word
        that completes a known phrase as it is, is no near miss."""
        if self.attested(words, at):
            return []
        base = name_key_ascii(words[at])
        found: list[str] = []
        for phrase in self._by_base.get(base, ()):
            if len(phrase) < 2:
                continue
            for offset, word in enumerate(phrase):
                start = at - offset
                if word == words[at] or name_key_ascii(word) != base or start < 0:
                    continue
                window = words[start : start + len(phrase)]
                if len(window) == len(phrase) and all(
                    w == p
                    for i, (w, p) in enumerate(zip(window, phrase, strict=True))
                    if i != offset
                ):
                    found.append(word)
        return sorted(set(found))

    def settle(self, words: Sequence[str], at: int, candidates: Sequence[str]) -> int | None:
        """Index of the one candidate for word `at` that a known phrase attests, else None."""
        keys = [name_key(c).strip(_STRIP) for c in candidates]
        attested = [
            i
            for i, key in enumerate(keys)
            if key and self.attested([*words[:at], key, *words[at + 1 :]], at)
        ]
        return attested[0] if len(attested) == 1 else None


@dataclasses.dataclass(frozen=True)
class Lexicons:
    places: Lexicon
    vocabulary: Lexicon
    surnames: Lexicon

    def for_field(self, name: str) -> Lexicon | None:
        return {
            "issuer": self.places,
            "address": self.places,
            "subject": self.vocabulary,
            "full_name": self.surnames,
            "signer": self.surnames,
        }.get(name)


@lru_cache(maxsize=8)
def lexicons(registers: tuple[str, ...] = ()) -> Lexicons:
    """The built-in phrases plus an archive's own registers of issuers and places."""
    return Lexicons(
        places=Lexicon([*BODIES, *place_names(), *UNIT_TYPES, *CAN_THO_STREETS, *registers]),
        vocabulary=Lexicon(VOCABULARY),
        surnames=Lexicon(SURNAMES, head_only=True),
    )
