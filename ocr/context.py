"""The per-page context the pipeline stages pass along, and the words they produce."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np

Box = tuple[int, int, int, int]
"""left, top, width, height in pixels of the page as scanned."""


@dataclasses.dataclass(frozen=True, slots=True)
class Word:
    text: str
    confidence: float  # 0..100, as Tesseract reports it
    box: Box
    line: int  # index of the text line on the page, in reading order
    # Other readings the recogniser found plausible, with their confidence (ocr.hocr).
    alternatives: tuple[tuple[str, float], ...] = ()

    def to_json(self) -> list[Any]:
        raw = [self.text, round(self.confidence, 1), list(self.box), self.line]
        if self.alternatives:
            raw.append([list(a) for a in self.alternatives])
        return raw

    @classmethod
    def from_json(cls, raw: list[Any]) -> Word:
        text, conf, box, line, *rest = raw  # pages stored before alternatives have four items
        alts = tuple((str(t), float(c)) for t, c in rest[0]) if rest else ()
        return cls(text, float(conf), (box[0], box[1], box[2], box[3]), int(line), alts)


@dataclasses.dataclass(slots=True)
class PageContext:
    """One page on its way through the stages. `image` is grayscale uint8 once preprocessed."""

    source: Path
    index: int  # page number inside the source file, from 0
    page_hash: str
    image: np.ndarray
    dpi: float | None = None
    # Maps processed-image coordinates back to the scan: x_scan = inverse @ [x, y, 1].
    inverse: np.ndarray = dataclasses.field(default_factory=lambda: np.eye(2, 3))
    rotation: int = 0  # quarter turns applied (degrees, multiple of 90)
    skew: float = 0.0  # degrees corrected by deskew
    words: list[Word] = dataclasses.field(default_factory=list)
    notes: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True, slots=True)
class PageResult:
    """What a worker sends back for a page: small, picklable, storable as JSON."""

    source: str
    index: int
    page_hash: str
    width: int
    height: int
    rotation: int
    skew: float
    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return page_text(self.words)

    def to_json(self) -> dict[str, Any]:
        return {
            "width": self.width,
            "height": self.height,
            "rotation": self.rotation,
            "skew": round(self.skew, 3),
            "words": [w.to_json() for w in self.words],
        }

    @classmethod
    def from_json(cls, source: str, index: int, page_hash: str, raw: dict[str, Any]) -> PageResult:
        return cls(
            source,
            index,
            page_hash,
            int(raw["width"]),
            int(raw["height"]),
            int(raw["rotation"]),
            float(raw["skew"]),
            tuple(Word.from_json(w) for w in raw["words"]),
        )


def page_text(words: tuple[Word, ...] | list[Word]) -> str:
    """The words joined into lines (one space between words, one newline between lines)."""
    lines: dict[int, list[str]] = {}
    for word in words:
        lines.setdefault(word.line, []).append(word.text)
    return "\n".join(" ".join(parts) for _, parts in sorted(lines.items()))
