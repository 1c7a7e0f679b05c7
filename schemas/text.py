"""Vietnamese text handling: NFC storage and the keys used to compare names (DOMAIN.md)."""

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator

_SPACES = re.compile(r"\s+")
# Scans and legacy systems confuse U+00D0 (Icelandic eth) with U+0110 (Vietnamese đ).
_LOOKALIKES = str.maketrans({"\u00d0": "\u0110", "\u00f0": "\u0111"})


def to_nfc(text: str) -> str:
    """Return `text` in Unicode NFC, the form popgate stores."""
    return unicodedata.normalize("NFC", text)


def collapse_spaces(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def fix_lookalikes(text: str) -> str:
    """Replace characters that are commonly mistaken for Vietnamese letters."""
    # str.translate with a mapping costs microseconds per call: skip it when nothing matches.
    if "\u00d0" not in text and "\u00f0" not in text:
        return text
    return text.translate(_LOOKALIKES)


def name_key(name: str) -> str:
    """Matching key: NFC, case-folded, whitespace collapsed; diacritics kept."""
    return to_nfc(collapse_spaces(fix_lookalikes(to_nfc(name))).casefold())


def name_key_ascii(name: str) -> str:
    """Diacritics-insensitive matching key (đ → d included)."""
    decomposed = unicodedata.normalize("NFD", name_key(name))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.replace("đ", "d")


def clean_text(value: str) -> str:
    """NFC, look-alikes fixed, whitespace collapsed: the form popgate stores text in."""
    return collapse_spaces(fix_lookalikes(to_nfc(value)))


NfcStr = Annotated[str, AfterValidator(clean_text)]
"""A text stored in NFC with collapsed whitespace."""
