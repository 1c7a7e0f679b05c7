"""Recognition and field extraction on clean and degraded synthetic scans (real Tesseract)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from rapidfuzz.distance import Levenshtein

from ocr import extract, ingest, pipeline
from ocr.context import PageResult, Word
from ocr.lexicon import lexicons
from tests.ocr.conftest import KINDS, SEEDS, truth


def _result(path: Path) -> PageResult:
    return pipeline.process_page(ingest.open_source(path).pages[0])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("seed", SEEDS)
def test_structured_fields_are_exact_and_text_fields_close(
    scans: dict, seed: int, kind: str
) -> None:
    path = scans[(seed, kind)]
    fields = extract.extract([_result(path)])
    expected = truth(path)["fields"]
    assert set(fields) == set(expected)
    for name in ("doc_type", "issue_date", "date_of_birth", "sex", "personal_id"):
        assert fields[name].value == expected[name], name
    for name in ("doc_number", "issuer", "subject", "full_name", "address", "signer"):
        # The fast `vie` model still misses a tone mark now and then: validation sends those to
        # review; here the value must be at most two characters off.
        assert Levenshtein.distance(fields[name].value, expected[name]) <= 2, name


@pytest.mark.parametrize("kind", KINDS)
def test_character_error_rate_is_below_half_a_percent(scans: dict, kind: str) -> None:
    path = scans[(SEEDS[0], kind)]
    text = " ".join(_result(path).text.split())
    expected = " ".join(truth(path)["text"].split())
    assert Levenshtein.distance(text, expected) / len(expected) <= 0.005


def test_word_boxes_point_at_the_scan_not_the_deskewed_image(scans: dict) -> None:
    rotated = _result(scans[(SEEDS[0], "combined")])
    clean = _result(scans[(SEEDS[0], "clean")])
    name = truth(scans[(SEEDS[0], "clean")])["fields"]["full_name"].split()[-1]
    box_rotated = next(w.box for w in rotated.words if w.text == name)
    box_clean = next(w.box for w in clean.words if w.text == name)
    # The combined page is turned by 1-4°: the word moved, but stays near its clean position.
    assert abs(box_rotated[1] - box_clean[1]) < 0.1 * clean.height
    assert box_rotated != box_clean


def _words(*lines: str) -> tuple[Word, ...]:
    out = []
    for n, line in enumerate(lines):
        for i, text in enumerate(line.split()):
            out.append(Word(text, 96.0, (200 + 60 * i, 100 + 40 * n, 50, 30), n))
    return tuple(out)


def test_noisy_labels_still_anchor_their_values() -> None:
    page = PageResult(
        "x",
        0,
        "h",
        1654,
        2339,
        0,
        0.0,
        _words("GIẤY XÁC NHẬN", "Họ vả tên: LÊ THỊ HOA", "Ngáy sỉnh: 0l/O2/1990", "Giởi tính: Nữ"),
    )
    fields = extract.extract([page])
    assert fields["doc_type"].value == "confirmation"
    assert fields["full_name"].value == "LÊ THỊ HOA"
    assert fields["date_of_birth"].value == "1990-02-01"
    assert fields["sex"].value == "female"


def test_a_page_without_labels_yields_no_personal_fields() -> None:
    page = PageResult("x", 0, "h", 1654, 2339, 0, 0.0, _words("Một trang không có nhãn nào"))
    assert not set(extract.extract([page])) & {"full_name", "personal_id", "date_of_birth"}


def _doubtful(page_words: tuple[Word, ...], text: str, *alternatives: tuple[str, float]) -> tuple:
    return tuple(
        dataclasses.replace(w, alternatives=alternatives) if w.text == text else w
        for w in page_words
    )


def test_a_doubt_the_vocabulary_settles_takes_the_attested_reading() -> None:
    words = _words("QUYẾT ĐỊNH", "Về việc hỗ trợ chỉ phí mai táng", "Họ và tên: NGUYỄN VĂN AN")
    words = _doubtful(words, "chỉ", ("chi", 45.7))
    page = PageResult("x", 0, "h", 1654, 2339, 0, 0.0, words)
    fields = extract.extract([page], lexicons=lexicons())
    assert fields["subject"].value == "Về việc hỗ trợ chi phí mai táng"
    assert fields["subject"].alternatives == ()
    # Without the lexicon the doubt stands, for validation to send to review.
    plain = extract.extract([page])
    assert plain["subject"].alternatives == ("Về việc hỗ trợ chi phí mai táng",)


def test_a_doubt_that_does_not_change_the_value_is_ignored_and_others_are_kept() -> None:
    words = _words("GIẤY XÁC NHẬN", "Họ và tên: LÊ THỊ HOA", "Ngày sinh: 03/02/1990")
    words = _doubtful(words, "Ngày", ("Ngầy", 40.0))
    words = _doubtful(words, "HOA", ("HÒA", 50.0))
    words = _doubtful(words, "03/02/1990", ("08/02/1990", 41.0))
    page = PageResult("x", 0, "h", 1654, 2339, 0, 0.0, words)
    fields = extract.extract([page], lexicons=lexicons())
    assert fields["full_name"].alternatives == ("LÊ THỊ HÒA",)
    assert fields["date_of_birth"].alternatives == ("1990-02-08",)


def test_words_of_a_known_issuer_do_not_hold_its_confidence_down() -> None:
    words = list(_words("ỦY BAN NHÂN DÂN", "QUẬN NINH KIỀU", "QUYẾT ĐỊNH"))
    words[0] = dataclasses.replace(words[0], confidence=40.0)  # a bold header word read weakly
    page = PageResult("x", 0, "h", 1654, 2339, 0, 0.0, tuple(words))
    assert extract.extract([page])["issuer"].confidence == 0.4
    assert extract.extract([page], lexicons=lexicons())["issuer"].confidence == 0.96


def test_a_summary_missing_a_known_phrase_by_a_tone_mark_carries_the_phrase_as_a_rival() -> None:
    words = _words("QUYẾT ĐỊNH", "Về việc trợ cấp xã hội hãng tháng.")
    page = PageResult("x", 0, "h", 1654, 2339, 0, 0.0, words)
    subject = extract.extract([page], lexicons=lexicons())["subject"]
    assert subject.value == "Về việc trợ cấp xã hội hãng tháng."
    assert subject.alternatives == (
        "Về việc trợ cấp xã hội hàng tháng.",
        "Về việc trợ cấp xã hội hằng tháng.",
    )
