"""Vietnamese syllable check: spots OCR misreadings that no Vietnamese word could be.

A syllable is an optional onset, a rhyme and at most one tone mark; rhymes ending in p, t, c or
ch take only the sắc or nặng tone. "HƯỲNH" (for HUỲNH) or "Vũù" fail; "Đúc" (for Đức) passes, so
this check complements the confidence bar, it does not replace it.
"""

from __future__ import annotations

import unicodedata

_TONES = {"\u0300": "huyền", "\u0301": "sắc", "\u0303": "ngã", "\u0309": "hỏi", "\u0323": "nặng"}
_ONSETS = sorted(
    "b c ch d đ g gh gi h k kh l m n ng ngh nh p ph q qu r s t th tr v x".split(),
    key=len,
    reverse=True,
)
_RHYMES = frozenset(
    """
    a ac ach ai am an ang anh ao ap at au ay ăc ăm ăn ăng ăp ăt âc âm ân âng âp ât âu ây
    e ec em en eng eo ep et ê êch êm ên ênh êp êt êu
    i ia ich im in inh ip it iu iêc iêm iên iêng iêp iêt iêu
    o oa oac oach oai oam oan oang oanh oao oap oat oay oăc oăm oăn oăng oăt oc oe oen oeo
    oet oi om on ong oong op ot ô ôc ôi ôm ôn ông ôp ôt ơ ơi ơm ơn ơp ơt
    u ua uân uâng uât uây uc uê uêch uênh ui um un ung uơ uôc uôi uôm uôn uông uôt up ut
    uy uya uych uyên uyêt uynh uyt uyu ư ưa ưc ưi ưm ưn ưng ưt ưu ươc ươi ươm ươn ương ươp
    ươt ươu y yêm yên yêt yêu
    """.split()
)
_STOPS = ("p", "t", "c", "ch")


def _split_tone(syllable: str) -> tuple[str, list[str]]:
    decomposed = unicodedata.normalize("NFD", syllable.lower())
    tones = [c for c in decomposed if c in _TONES]
    base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    return base, tones


def is_syllable(word: str) -> bool:
    """True when `word` could be one Vietnamese syllable (tone placement is not checked)."""
    base, tones = _split_tone(word)
    if len(tones) > 1 or not base.isalpha():
        return False
    for onset in [*_ONSETS, ""]:
        if not base.startswith(onset):
            continue
        rhyme = base[len(onset) :]
        if onset == "gi" and not rhyme:
            rhyme = "i"
        if rhyme in _RHYMES:
            if rhyme.endswith(_STOPS) and tones and _TONES[tones[0]] not in ("sắc", "nặng"):
                continue
            return True
    return False


def unusual_syllables(name: str) -> list[str]:
    """The words of a personal name that cannot be Vietnamese syllables."""
    return [w for w in name.replace("-", " ").split() if not is_syllable(w)]
