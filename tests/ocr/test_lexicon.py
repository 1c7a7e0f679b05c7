"""Settling doubtful readings with the phrases a field is made of."""

from __future__ import annotations

from ocr.lexicon import Lexicon, lexicons, tokens


def test_the_reading_that_completes_a_known_place_is_taken() -> None:
    places = lexicons().places
    words = tokens("UBND THÀNH PHỐ CÂN THƠ")
    assert places.settle(words, 3, ["CÂN", "CẦN"]) == 1
    # Without its neighbour the word proves nothing: the doubt stands.
    assert places.settle(tokens("UBND THÀNH PHỐ CÂN"), 3, ["CÂN", "CẦN"]) is None


def test_two_attested_candidates_settle_nothing() -> None:
    lexicon = Lexicon(["An Bình", "An Bính"])
    assert lexicon.settle(["an", "bình"], 1, ["Bình", "Bính"]) is None


def test_the_summary_vocabulary_settles_chi_phi() -> None:
    vocabulary = lexicons().vocabulary
    words = tokens("Về việc hỗ trợ chỉ phí mai táng")
    assert vocabulary.settle(words, 4, ["chỉ", "chi"]) == 1
    assert vocabulary.confirms(words, 0)


def test_surnames_only_settle_the_first_word_of_a_name() -> None:
    surnames = lexicons().surnames
    assert surnames.settle(tokens("NGUYÊN THU TRANG"), 0, ["NGUYÊN", "NGUYỄN"]) == 1
    assert surnames.settle(tokens("TRẦN LÊ HOA"), 1, ["LÊ", "LỂ"]) is None
    # One-word phrases attest but never confirm: the name's own confidence still counts.
    assert not surnames.confirms(tokens("LÊ HOA"), 0)


def test_an_archive_register_extends_the_places() -> None:
    assert lexicons(("Sở Y tế tỉnh Hậu Giang",)).places.confirms(tokens("SỞ Y TẾ TỈNH"), 0)
    assert not lexicons().places.confirms(tokens("TỈNH HẬU"), 0)


def test_a_word_missing_a_known_phrase_by_its_tone_marks_is_a_near_miss() -> None:
    vocabulary = lexicons().vocabulary
    assert vocabulary.near(tokens("trợ cấp xã hội hãng tháng"), 4) == ["hàng", "hằng"]
    assert vocabulary.near(tokens("trợ cấp xã hội hằng tháng"), 4) == []
    assert vocabulary.near(tokens("hãng xe"), 0) == []  # no phrase around it: no claim
    assert lexicons().places.near(tokens("quận ninh kiểu"), 2) == ["kiều"]
