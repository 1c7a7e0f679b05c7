"""Read Tesseract's hOCR with LSTM symbol choices: words, boxes, confidences and doubts.

With `-c lstm_choice_mode=2` Tesseract lists, for every symbol of a word, the characters its
LSTM weighed and how strongly. A word's *alternatives* are the other readings its recogniser
found plausible: one symbol swapped for a runner-up at `AMBIGUITY` or above ("chỉ" 88 / "chi" 46),
or the word built from the top symbol choices when the chosen text differs from it ("CÂN" chosen,
"CẦN" on top). A field holding such a word is not accepted on its own (`ocr.validate`): the
runner-up is a reading the engine itself could not rule out. Measured on the benchmark pages
(`bench/ocr.py`): the tone-mark misreadings the confidence bar let through all had one.

The hOCR is our own Tesseract's output, still parsed without DTD loading, entities or network.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import unicodedata

from lxml import etree

from ocr.context import Word
from ocr.names import is_syllable
from schemas.text import fix_lookalikes, to_nfc

AMBIGUITY = 30.0
"""A runner-up symbol at this confidence (0..100) or above makes a word doubtful.

Measured with `bench/ocr.py` (70 pages, seed 9000): at 20, 96.1% of fields accepted, none
wrong; at 30, 96.9%, none wrong; at 40, 97.4% but 5 wrong ("chỉ phí" for "chi phí")."""
MAX_ALTERNATIVES = 6
_XHTML = "{http://www.w3.org/1999/xhtml}"
_LINES = frozenset({"ocr_line", "ocr_header", "ocr_caption", "ocr_textfloat"})
_BBOX = re.compile(r"bbox (-?\d+) (-?\d+) (-?\d+) (-?\d+)")
_WCONF = re.compile(r"x_wconf (-?[\d.]+)")
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_blank_text=True
)
_PUNCT = ".,;:!?()\"'-/"


def clean_text(text: str) -> str:
    return fix_lookalikes(to_nfc(text)).strip()


def _letters() -> frozenset[str]:
    vowels = "aăâeêioôơuưy"
    tones = ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
    lower = {unicodedata.normalize("NFC", v + t) for v in vowels for t in tones}
    lower |= set("bcdđfghjklmnpqrstvwxz")
    return frozenset(lower | {c.upper() for c in lower})


_LETTERS = _letters()


def _vietnamese(char: str) -> bool:
    """A letter of the Vietnamese alphabet (with any tone), a digit or common punctuation."""
    return char in _LETTERS or char.isdigit() or char in _PUNCT


def _symbols(word: etree._Element) -> list[list[tuple[str, float]]]:
    """Per symbol position, its plausible characters, strongest first.

    The position Tesseract gives the space before a word (its top choice a blank) is dropped.
    """
    positions = []
    for position in word:
        choices: dict[str, float] = {}
        for choice in position:
            title = choice.get("title") or ""
            if not title.startswith("x_confs"):
                continue
            char = clean_text(choice.text or "") or " "
            confidence = float(title[8:])
            if confidence > choices.get(char, -1.0):
                choices[char] = confidence
        ranked = sorted(choices.items(), key=lambda c: -c[1])
        if ranked and ranked[0][0] != " ":
            positions.append([c for c in ranked if c[0] != " "])
    return positions


def alternatives(
    text: str, positions: list[list[tuple[str, float]]]
) -> tuple[tuple[str, float], ...]:
    """Other plausible readings of a word, each with its weakest symbol's confidence."""
    if not positions or len(positions) != len(text):
        return ()
    options = []
    for chosen, choices in zip(text, positions, strict=True):
        keep = [(c, v) for c, v in choices if (v >= AMBIGUITY or c == chosen) and _vietnamese(c)]
        if not any(c == chosen for c, _ in keep):
            keep.append((chosen, 0.0))
        options.append(keep[:3])
    syllable = is_syllable(text.strip(_PUNCT))
    readings: dict[str, float] = {}
    for combo in itertools.islice(itertools.product(*options), 64):
        reading = "".join(c for c, _ in combo)
        if reading == text:
            continue
        if syllable and not is_syllable(reading.strip(_PUNCT)):
            continue  # a Vietnamese word misread as a non-word: not a reading anyone wrote
        readings[reading] = min(v for _, v in combo)
    ranked = sorted(readings.items(), key=lambda r: -r[1])
    return tuple((r, round(v, 1)) for r, v in ranked[:MAX_ALTERNATIVES])


def symbol_confidence(text: str, positions: list[list[tuple[str, float]]]) -> float | None:
    """The weakest of the word's chosen symbols, as the LSTM scored them (None: misaligned).

    Tesseract's own word confidence (`x_wconf`) drops for reasons no symbol shows: "2638/QĐ-UBND"
    scores 32 with every symbol at 87 or more (a code is no dictionary word). Measured with
    `bench/ocr.py` pages (70 each, seeds 9000 and 5000): 97.0% → 97.7% and 98.2% → 98.8% of
    fields accepted, none wrong either way.
    """
    if not positions or len(positions) != len(text):
        return None
    chosen = []
    for char, choices in zip(text, positions, strict=True):
        score = dict(choices).get(char)
        if score is None:
            return None
        chosen.append(score)
    return min(chosen)


@dataclasses.dataclass(frozen=True, slots=True)
class Reading:
    words: list[Word]
    engine_confidence: float
    """Mean of Tesseract's own word confidences: low on a page read upside down, whose garbage
    symbols the LSTM may still score high."""


def parse(raw: bytes) -> Reading:
    """Words of one page in reading order; `line` counts hOCR lines from 0.

    A word's confidence is its weakest chosen symbol's when the choices align with its text,
    else Tesseract's word confidence.
    """
    root = etree.fromstring(raw, _PARSER)
    words: list[Word] = []
    engine: list[float] = []
    line = -1
    for span in root.iter(f"{_XHTML}span"):
        kind = span.get("class")
        if kind in _LINES:
            line += 1
            continue
        if kind != "ocrx_word":
            continue
        text = clean_text(span.text or "")
        title = span.get("title") or ""
        box, conf = _BBOX.search(title), _WCONF.search(title)
        if not text or not box or not conf or float(conf.group(1)) < 0:
            continue
        x0, y0, x1, y1 = (int(v) for v in box.groups())
        engine.append(float(conf.group(1)))
        positions = _symbols(span)
        confidence = symbol_confidence(text, positions)
        if confidence is None:
            confidence = float(conf.group(1))
        alts = alternatives(text, positions)
        size = (x0, y0, x1 - x0, y1 - y0)
        words.append(Word(text, round(confidence, 1), size, max(line, 0), alts))
    return Reading(words, sum(engine) / len(engine) if engine else 0.0)
