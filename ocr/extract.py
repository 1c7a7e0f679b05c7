"""Classify a recognised document and extract its fields with label-anchored rules.

Labels are matched on accent-free, case-folded text with a fuzzy ratio, so OCR noise in a label
("Ngáy sinh", "So dinh danh") still anchors its value. Canonical field names (issue 7): doc_type,
doc_number, issue_date, issuer, subject, full_name, date_of_birth, sex, personal_id, address,
signer.
Metadata of a digitized result follows Circular 01/2023/TT-VPCP (DOMAIN.md): số ký hiệu, ngày ban
hành, cơ quan ban hành, trích yếu, người ký.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import statistics
from collections.abc import Sequence
from functools import partial

from rapidfuzz import fuzz

from ocr.context import Box, PageResult, Word
from ocr.lexicon import Lexicons
from ocr.reading import ExtractedField, field, joined, read_field, union_box
from schemas.records_api import RECORD_FIELDS
from schemas.text import collapse_spaces, name_key_ascii

FIELD_NAMES = RECORD_FIELDS
TITLES = {
    "quyet dinh": "decision",
    "giay chung nhan": "certificate",
    "giay xac nhan": "confirmation",
    "trich luc": "extract",
}
DOC_TYPES = tuple(TITLES.values())
LABELS = {
    "full_name": ("ho va ten", "ho ten", "ho, chu dem va ten"),
    "date_of_birth": ("ngay sinh", "ngay, thang, nam sinh", "sinh ngay"),
    "sex": ("gioi tinh",),
    "personal_id": ("so dinh danh ca nhan", "so dinh danh", "so can cuoc", "so cccd"),
    "address": ("noi thuong tru", "dia chi thuong tru", "dia chi", "noi o hien tai"),
}
SIGNER_TITLES = ("chu tich", "pho chu tich", "giam doc", "pho giam doc", "truong phong", "kt", "tm")
LABEL_MATCH = 82.0
TITLE_MATCH = 85.0
# OCR confusions inside numeric fields only (dates, IDs, document numbers).
_DIGIT_FIXES = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1", "|": "1"})
_DATE = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})")
_ISSUE_DATE = re.compile(r"ngay\s*(\d{1,2})\s*thang\s*(\d{1,2})\s*nam\s*(\d{4})")
_DOC_NUMBER = re.compile(r"^so\s*[:.;]?\s*(\d+\s*/\s*[a-z0-9\-]+)")


@dataclasses.dataclass(frozen=True, slots=True)
class Segment:
    """Words of one line that sit together (a wide gap starts a new segment: header columns)."""

    words: tuple[Word, ...]
    page: int
    line: int

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def folded(self) -> str:
        return name_key_ascii(self.text)

    @property
    def box(self) -> Box:
        return union_box(self.words)

    @property
    def confidence(self) -> float:
        return min(w.confidence for w in self.words) / 100


def segments(page: PageResult, page_no: int) -> list[Segment]:
    heights = [w.box[3] for w in page.words] or [20]
    gap_limit = 2.5 * statistics.median(heights)
    lines: dict[int, list[Word]] = {}
    for word in page.words:
        lines.setdefault(word.line, []).append(word)
    out: list[Segment] = []
    for line_no, words in sorted(lines.items()):
        words.sort(key=lambda w: w.box[0])
        current = [words[0]]
        for prev, word in itertools.pairwise(words):
            if word.box[0] - (prev.box[0] + prev.box[2]) > gap_limit:
                out.append(Segment(tuple(current), page_no, line_no))
                current = []
            current.append(word)
        out.append(Segment(tuple(current), page_no, line_no))
    return out


def _split_label(seg: Segment) -> tuple[str, float, tuple[Word, ...]] | None:
    """(field name, label match score, value words) when the segment starts with a known label."""
    best: tuple[str, float, tuple[Word, ...]] | None = None
    for n in range(1, min(6, len(seg.words))):
        head = name_key_ascii(" ".join(w.text for w in seg.words[:n])).rstrip(":;.")
        for name, labels in LABELS.items():
            score = max(fuzz.ratio(head, label) for label in labels)
            if score >= LABEL_MATCH and (best is None or score >= best[1]):
                best = (name, score, seg.words[n:])
    return best if best and best[2] else None


def _digits(text: str) -> str:
    return re.sub(r"\s", "", text.translate(_DIGIT_FIXES))


def _iso(day: str, month: str, year: str) -> str:
    return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"


def _parse(name: str, words: Sequence[Word]) -> str | None:
    text = collapse_spaces(" ".join(w.text for w in words)).lstrip(":;. ")
    if name == "full_name":
        return text.upper() or None
    if name == "date_of_birth":
        m = _DATE.search(_digits(text))
        return _iso(*m.groups()) if m else None
    if name == "sex":
        key = name_key_ascii(text).strip(" .")
        return {"nam": "male", "nu": "female"}.get(key)
    if name == "personal_id":
        digits = _digits(text)
        return digits if re.fullmatch(r"\d{9}|\d{12}", digits) else None
    return text or None


def _body_right_edge(segs: list[Segment]) -> int:
    edges = sorted(s.box[0] + s.box[2] for s in segs if len(s.words) > 4)
    return edges[int(len(edges) * 0.9)] if edges else 0


def classify(segs: list[Segment]) -> tuple[ExtractedField | None, int]:
    """The document type from its title, and the index of the title segment (-1 if none)."""
    for i, seg in enumerate(segs):
        folded = seg.folded.rstrip(":. ")
        for title, doc_type in TITLES.items():
            score = fuzz.ratio(folded, title)
            if score >= TITLE_MATCH:
                return field("doc_type", doc_type, seg.words, seg.page, score / 100), i
    return None, -1


def _doc_number(words: Sequence[Word]) -> str | None:
    return re.sub(r"\s", "", " ".join(w.text for w in words)).lstrip(":").upper() or None


def _issue_date(words: Sequence[Word]) -> str | None:
    date = _ISSUE_DATE.search(_digits_in_folded(name_key_ascii(" ".join(w.text for w in words))))
    return _iso(*date.groups()) if date else None


def _has_digit(word: Word) -> bool:
    return any(c.isdigit() for c in word.text)


def _header_fields(
    segs: list[Segment], title_at: int, page_width: int, lexicons: Lexicons | None
) -> list[ExtractedField | None]:
    found: list[ExtractedField | None] = []
    head = segs[:title_at] if title_at >= 0 else segs[:8]
    issuer_words: list[Word] = []
    seen: set[str] = set()
    for seg in head:
        if _DOC_NUMBER.match(seg.folded) and "doc_number" not in seen:
            words = (
                seg.words[1:]
                if seg.words[0].text.rstrip(":").lower() in ("số", "so")
                else seg.words
            )
            found.append(read_field("doc_number", words, seg.page, _doc_number))
            seen.add("doc_number")
            continue
        if _ISSUE_DATE.search(_digits_in_folded(seg.folded)) and "issue_date" not in seen:
            # The place before "ngày" is not part of the date: it does not lower the confidence.
            start = next(
                (i for i, w in enumerate(seg.words) if name_key_ascii(w.text).startswith("ngay")),
                0,
            )
            # Only the numbers carry the date: "ngày … tháng … năm" are matched without accents.
            found.append(
                read_field(
                    "issue_date", seg.words[start:], seg.page, _issue_date, weighs=_has_digit
                )
            )
            seen.add("issue_date")
            continue
        if seg.box[0] + seg.box[2] / 2 < page_width * 0.45:
            issuer_words.extend(seg.words)
    if issuer_words:
        found.append(read_field("issuer", issuer_words, head[0].page, joined, lexicons=lexicons))
    if 0 <= title_at < len(segs) - 1:
        subject = segs[title_at + 1]
        if subject.folded.startswith(("ve viec", "v/v")):
            found.append(
                read_field("subject", subject.words, subject.page, joined, lexicons=lexicons)
            )
    return found


def _digits_in_folded(folded: str) -> str:
    return re.sub(r"(?<=\d)\s+(?=\d)", "", folded.translate(_DIGIT_FIXES))


def _signer(segs: list[Segment], lexicons: Lexicons | None) -> ExtractedField | None:
    for i in range(len(segs) - 1, -1, -1):
        folded = segs[i].folded.rstrip(". ")
        words = folded.replace(".", " ").split()
        if not words or (
            words[0] not in ("kt", "tm")
            and not any(fuzz.ratio(folded, t) >= LABEL_MATCH for t in SIGNER_TITLES)
        ):
            continue
        below = [s for s in segs[i + 1 :] if abs(s.box[0] - segs[i].box[0]) < segs[i].box[2] * 1.5]
        below = [
            s
            for s in below
            if not any(fuzz.ratio(s.folded, t) >= LABEL_MATCH for t in SIGNER_TITLES)
        ]
        if below:
            name = below[0]
            return read_field("signer", name.words, name.page, joined, lexicons=lexicons)
    return None


def extract(
    pages: Sequence[PageResult], doc_type: str | None = None, lexicons: Lexicons | None = None
) -> dict[str, ExtractedField]:
    """Fields found in the document's pages; a field appears once (its first occurrence).

    `lexicons` settle doubtful readings and confirm known phrases (`ocr.lexicon`).
    """
    fields: dict[str, ExtractedField] = {}
    for page_no, page in enumerate(pages):
        segs = segments(page, page_no)
        if not segs:
            continue
        if "doc_type" not in fields:
            kind, title_at = classify(segs)
            if kind:
                fields["doc_type"] = kind
            for found in _header_fields(segs, title_at, page.width, lexicons):
                if found:
                    fields.setdefault(found.name, found)
        right_edge = _body_right_edge(segs)
        for i, seg in enumerate(segs):
            labelled = _split_label(seg)
            if not labelled or labelled[0] in fields:
                continue
            name, score, value_words = labelled
            if name == "address":
                value_words = _continue_lines(segs, i, value_words, right_edge)
            bonus = min(1.0, score / 95)
            read = read_field(name, value_words, page_no, partial(_parse, name), bonus, lexicons)
            if read:
                fields[name] = read
        signer = _signer(segs, lexicons)
        if signer:
            fields["signer"] = signer
    if doc_type and "doc_type" not in fields:
        fields["doc_type"] = ExtractedField("doc_type", doc_type, 1.0, 0, (0, 0, 0, 0))
    return fields


def _continue_lines(
    segs: list[Segment], at: int, words: tuple[Word, ...], right_edge: int
) -> tuple[Word, ...]:
    """A value wrapped onto following lines: a line that reached the right margin continues."""
    out = list(words)
    last = segs[at]
    for seg in segs[at + 1 :]:
        reached_margin = last.box[0] + last.box[2] >= right_edge - 3 * last.words[-1].box[3]
        if not reached_margin or _split_label(seg) or seg.line != last.line + 1:
            break
        out.extend(seg.words)
        last = seg
    return tuple(out)
