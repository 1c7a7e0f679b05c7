"""Reading Tesseract's hOCR with LSTM symbol choices: alternatives, safety, the real binary."""

from __future__ import annotations

from pathlib import Path

from ocr import hocr, ingest, pipeline
from ocr.context import Word

_HOCR = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
    "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><body><div class='ocr_page'>
<span class='ocr_line' title='bbox 10 10 300 40'>
 <span class='ocrx_word' title='bbox 10 10 60 40; x_wconf 89'>chỉ
  <span class='ocrx_cinfo'><span class='ocrx_cinfo' title='x_confs 96.4'> </span></span>
  <span class='ocrx_cinfo'><span class='ocrx_cinfo' title='x_confs 95.3'>c</span></span>
  <span class='ocrx_cinfo'><span class='ocrx_cinfo' title='x_confs 95.0'>h</span></span>
  <span class='ocrx_cinfo'><span class='ocrx_cinfo' title='x_confs 88.4'>ỉ</span>
   <span class='ocrx_cinfo' title='x_confs 45.7'>i</span>
   <span class='ocrx_cinfo' title='x_confs 0'>ị</span></span>
 </span>
 <span class='ocrx_word' title='bbox 70 10 120 40; x_wconf 96'>phí</span>
</span>
<span class='ocr_line' title='bbox 10 50 300 80'>
 <span class='ocrx_word' title='bbox 10 50 80 80; x_wconf 91'>Nam
  <span class='ocrx_cinfo'><span class='ocrx_cinfo' title='x_confs 92.8'>N</span>
   <span class='ocrx_cinfo' title='x_confs 60.6'>Ñ</span></span>
  <span class='ocrx_cinfo'><span class='ocrx_cinfo' title='x_confs 95.0'>a</span></span>
  <span class='ocrx_cinfo'><span class='ocrx_cinfo' title='x_confs 95.0'>m</span></span>
 </span>
</span></div></body></html>
"""


def test_words_carry_lines_boxes_and_the_readings_the_recogniser_weighed() -> None:
    reading = hocr.parse(_HOCR.encode())
    words = reading.words
    assert [w.text for w in words] == ["chỉ", "phí", "Nam"]
    assert [w.line for w in words] == [0, 0, 1]
    assert words[0].box == (10, 10, 50, 30)
    assert words[0].alternatives == (("chi", 45.7),)
    # Confidence: the weakest chosen symbol ("ỉ" 88.4); without choices, Tesseract's own.
    assert (words[0].confidence, words[1].confidence) == (88.4, 96.0)
    assert reading.engine_confidence == (89 + 96 + 91) / 3
    assert words[1].alternatives == ()
    # Ñ is no Vietnamese letter: not a reading anyone wrote.
    assert words[2].alternatives == ()


def test_the_top_symbol_choice_is_an_alternative_when_the_chosen_text_differs() -> None:
    positions = [[("C", 95.0)], [("Ầ", 87.9), ("Â", 65.1)], [("N", 90.5)]]
    assert hocr.alternatives("CÂN", positions) == (("CẦN", 87.9),)


def test_weak_runner_ups_non_syllables_and_misaligned_choices_make_no_doubt() -> None:
    weak = [[("c", 95.0)], [("h", 95.0)], [("i", 90.0), ("ỉ", 12.0)]]
    assert hocr.alternatives("chi", weak) == ()
    # "cxi" is no Vietnamese syllable; the read "chi" is: the rival is dropped.
    assert (
        hocr.alternatives("chi", [[("c", 95.0)], [("h", 95.0), ("x", 60.0)], [("i", 95.0)]]) == ()
    )
    # A code is no syllable either: its rivals stand ("3224" / "8224").
    assert hocr.alternatives("3224", [[("3", 80.0), ("8", 50.0)], *[[(d, 95.0)] for d in "224"]])
    assert hocr.alternatives("ab", [[("a", 95.0)]]) == ()


def test_a_code_scored_low_as_a_word_keeps_its_symbols_confidence() -> None:
    positions = [[(c, 95.0)] for c in "2638"] + [[("/", 87.5)]] + [[(c, 93.0)] for c in "QĐ"]
    assert hocr.symbol_confidence("2638/QĐ", positions) == 87.5
    assert hocr.symbol_confidence("2638/QĐ", positions[:-1]) is None  # misaligned
    assert hocr.symbol_confidence("2638/QD", positions) is None  # chosen symbol not listed


def test_entities_in_the_hocr_are_not_expanded() -> None:
    hostile = _HOCR.replace(
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">',
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd" [<!ENTITY x "BOOM">]>',
    ).replace(">phí<", ">&x;phí<")
    words = hocr.parse(hostile.encode()).words
    assert "BOOM" not in " ".join(w.text for w in words)


def test_word_json_keeps_alternatives_and_reads_pages_stored_without_them() -> None:
    word = Word("chỉ", 89.0, (1, 2, 3, 4), 0, (("chi", 45.7),))
    assert Word.from_json(word.to_json()) == word
    assert Word.from_json(["phí", 96, [1, 2, 3, 4], 0]) == Word("phí", 96.0, (1, 2, 3, 4), 0)


def test_the_real_tesseract_reports_alternatives_on_a_degraded_page(scans: dict) -> None:
    from tests.ocr.conftest import SEEDS

    path: Path = scans[(SEEDS[0], "combined")]
    page = pipeline.process_page(ingest.open_source(path).pages[0])
    assert len(page.words) > 100
    doubtful = [w for w in page.words if w.alternatives]
    assert all(0 < conf <= 100 for w in doubtful for _, conf in w.alternatives)
    assert all(alt != w.text for w in doubtful for alt, _ in w.alternatives)
