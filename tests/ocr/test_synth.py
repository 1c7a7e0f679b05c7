"""The synthetic scan generator: deterministic, with true Vietnamese text and ground truth."""

from __future__ import annotations

import unicodedata

import numpy as np

from ocr import synth
from schemas.personal_id import PersonalId


def test_same_seed_gives_the_same_page() -> None:
    first, _ = synth.render(synth.make_document(5))
    second, _ = synth.render(synth.make_document(5))
    assert np.array_equal(np.asarray(first), np.asarray(second))


def test_different_seeds_give_different_documents() -> None:
    assert synth.make_document(5).fields != synth.make_document(6).fields


def test_ground_truth_is_nfc_vietnamese_with_a_consistent_personal_id() -> None:
    doc = synth.make_document(7, "decision")
    assert unicodedata.is_normalized("NFC", doc.text)
    assert "QUYẾT ĐỊNH" in doc.text and "Độc lập - Tự do - Hạnh phúc" in doc.text
    pid = PersonalId(doc.fields["personal_id"])
    assert pid.birth_year == int(doc.fields["date_of_birth"][:4])
    assert pid.sex == doc.fields["sex"]


def test_degradations_change_the_page_and_report_the_rotation() -> None:
    page, _ = synth.render(synth.make_document(3))
    clean = np.asarray(page)
    for kind in synth.DEGRADATIONS[1:]:
        out, angle, quality = synth.degrade(page, kind, seed=3)
        assert not np.array_equal(np.asarray(out), clean), kind
        assert (1.0 <= abs(angle) <= 4.0) == (kind in ("rotation", "combined"))
        assert (quality == 40) == (kind in ("jpeg", "combined"))
