"""Read a field's value from its words, weighing the readings the recogniser could not rule out.

Each word carries the alternatives Tesseract weighed (`ocr.hocr`). A field keeps, beside its
value, the other values those readings would give (`alternatives`): validation sends such a field
to review (`ocr.validate`) unless the field's lexicon settles the doubt (`ocr.lexicon`). Words the
lexicon confirms do not lower the field's confidence; a word that misses a known phrase only by
its tone marks gives the phrase's spelling as one more rival.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from ocr.context import Box, Word
from ocr.lexicon import Lexicon, Lexicons, tokens
from schemas.text import collapse_spaces


@dataclasses.dataclass(frozen=True, slots=True)
class ExtractedField:
    name: str
    value: str
    confidence: float  # 0..1
    page: int
    box: Box
    # Other values a reading the recogniser weighed would give (ocr.hocr): not settled.
    alternatives: tuple[str, ...] = ()


def union_box(words: Sequence[Word]) -> Box:
    x0 = min(w.box[0] for w in words)
    y0 = min(w.box[1] for w in words)
    x1 = max(w.box[0] + w.box[2] for w in words)
    y1 = max(w.box[1] + w.box[3] for w in words)
    return x0, y0, x1 - x0, y1 - y0


def field(
    name: str, value: str, words: Sequence[Word], page: int, bonus: float = 1.0
) -> ExtractedField:
    confidence = min(w.confidence for w in words) / 100 * bonus
    return ExtractedField(name, value, round(confidence, 3), page, union_box(words))


ValueOf = Callable[[Sequence[Word]], str | None]


def joined(words: Sequence[Word]) -> str | None:
    return collapse_spaces(" ".join(w.text for w in words)) or None


def read_field(
    name: str,
    words: Sequence[Word],
    page: int,
    value_of: ValueOf,
    bonus: float = 1.0,
    lexicons: Lexicons | None = None,
    weighs: Callable[[Word], bool] = lambda _: True,
) -> ExtractedField | None:
    """The field's value from its words, with the values their alternative readings give.

    An alternative that does not change the value, or only its case, is no doubt ("năm" /
    "nằm" around a date). A doubt the field's lexicon settles takes the attested reading, and
    words the lexicon confirms do not lower the field's confidence (`ocr.lexicon`).
    """
    lexicon = lexicons.for_field(name) if lexicons else None
    read = list(words)
    value = value_of(read)
    if not value:
        return None
    others: list[str] = []
    for i, word in enumerate(read):
        changed = []
        for text, confidence in word.alternatives:
            other = value_of([*read[:i], dataclasses.replace(word, text=text), *read[i + 1 :]])
            if other != value and (other or "").casefold() != value.casefold():
                changed.append((text, confidence, other))
        if not changed:
            continue
        if lexicon is not None:
            candidates = [(word.text, word.confidence), *((t, c) for t, c, _ in changed)]
            pick = _settle(lexicon, read, i, [t for t, _ in candidates])
            if pick is not None:
                text, confidence = candidates[pick]
                read[i] = dataclasses.replace(
                    word, text=text, confidence=confidence, alternatives=()
                )
                value = value_of(read) or value
                continue
        others.extend(other for _, _, other in changed if other)
    if lexicon is not None and not lexicon.head_only:
        others.extend(_near_misses(lexicon, read, value, value_of))
    weighed = [
        w
        for i, w in enumerate(read)
        if weighs(w) and not (lexicon and _confirmed(lexicon, read, i))
    ]
    confidence = min((w.confidence for w in weighed), default=100.0) / 100 * bonus
    return ExtractedField(
        name, value, round(confidence, 3), page, union_box(read), tuple(dict.fromkeys(others))
    )


def _near_misses(lexicon: Lexicon, words: list[Word], value: str, value_of: ValueOf) -> list[str]:
    """Values with a word respelled to complete a known phrase it misses by its tone marks."""
    found = []
    for i, word in enumerate(words):
        keys = _keys(words, i)
        for spelling in lexicon.near(*keys) if keys else ():
            respelled = dataclasses.replace(word, text=_respell(word.text, spelling))
            other = value_of([*words[:i], respelled, *words[i + 1 :]])
            if other and other != value:
                found.append(other)
    return found


def _respell(text: str, spelling: str) -> str:
    """`spelling` in place of the letters of `text`, in their case, punctuation kept."""
    core = text.strip(".,;:!?()\"'-–/")
    if core.isupper():
        spelling = spelling.upper()
    elif core[:1].isupper():
        spelling = spelling[:1].upper() + spelling[1:]
    return text.replace(core, spelling, 1)


def _keys(words: Sequence[Word], at: int) -> tuple[list[str], int] | None:
    """Matching keys of the words, and where word `at` is among them (None: punctuation)."""
    own = tokens(words[at].text)
    if len(own) != 1:
        return None
    before = tokens(" ".join(w.text for w in words[:at]))
    return [*before, own[0], *tokens(" ".join(w.text for w in words[at + 1 :]))], len(before)


def _settle(lexicon: Lexicon, words: Sequence[Word], at: int, candidates: list[str]) -> int | None:
    keys = _keys(words, at)
    return lexicon.settle(keys[0], keys[1], candidates) if keys else None


def _confirmed(lexicon: Lexicon, words: Sequence[Word], at: int) -> bool:
    keys = _keys(words, at)
    return lexicon.confirms(keys[0], keys[1]) if keys else not tokens(words[at].text)
