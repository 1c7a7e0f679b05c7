"""Preprocessing stages: deskew accuracy, background flattening, orientation by OSD."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image

from ocr import preprocess, recognize, synth
from ocr.context import PageContext


def _page(seed: int, kind: str) -> tuple[np.ndarray, float]:
    page, _ = synth.render(synth.make_document(seed))
    out, angle, _ = synth.degrade(page, kind, seed)
    return np.asarray(out), angle


@pytest.mark.parametrize("seed", [21, 22, 23])
def test_deskew_finds_the_rotation_within_a_fifth_of_a_degree(seed: int) -> None:
    image, angle = _page(seed, "combined")
    flat = preprocess.flatten_background(image)
    assert abs(preprocess.estimate_skew(flat) - angle) < 0.2


def _paper_tones(image: np.ndarray) -> np.ndarray:
    """The paper's tone in each 100-pixel tile (the median: text is a minority of pixels)."""
    h, w = image.shape
    return np.array(
        [
            np.median(image[y : y + 100, x : x + 100])
            for y in range(0, h - 99, 100)
            for x in range(0, w - 99, 100)
        ]
    )


def test_flattening_evens_out_uneven_light() -> None:
    image, _ = _page(24, "illumination")
    before = _paper_tones(image)
    after = _paper_tones(preprocess.flatten_background(image))
    assert before.max() - before.min() > 60
    assert after.max() - after.min() < 8


def test_preprocess_keeps_a_transform_that_maps_boxes_back_to_the_scan() -> None:
    image, angle = _page(25, "rotation")
    ctx = preprocess.preprocess(PageContext(source=None, index=0, page_hash="", image=image))  # type: ignore[arg-type]
    h, w = image.shape
    ink = preprocess.flatten_background(image) < 128

    def overlap(matrix: np.ndarray) -> float:
        back = cv2.warpAffine(ctx.image, matrix, (w, h), borderValue=255) < 128
        return float((back & ink).sum() / ink.sum())

    # Painted back through the kept transform, the processed page lies on the scan's ink;
    # ignoring the transform (deskew and crop), it does not.
    assert overlap(ctx.inverse) > 0.6
    assert overlap(np.eye(2, 3)) < 0.3
    assert abs(ctx.skew - angle) < 0.2


def test_upside_down_page_is_turned_upright_by_osd(tmp_path) -> None:
    page, _ = synth.render(synth.make_document(26))
    path = tmp_path / "upside-down.png"
    page.transpose(Image.Transpose.ROTATE_180).save(path)
    assert recognize.detect_rotation(path) == 180
    ctx = PageContext(path, 0, "", np.asarray(Image.open(path)))
    recognize.recognize(preprocess.preprocess(ctx))
    assert ctx.rotation == 180
    assert "Độc lập" in " ".join(w.text for w in ctx.words)
