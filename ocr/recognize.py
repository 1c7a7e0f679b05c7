"""Text recognition with Tesseract (`vie`) through pytesseract: words, boxes, confidences.

pytesseract is given a file path, not an array: an array is re-encoded, about 1 s/page slower on
noisy pages (NOTES.md). Text is normalised to NFC with look-alike letters fixed (Ð U+00D0 → Đ).
"""

from __future__ import annotations

import dataclasses
import os
import re
import tempfile
from pathlib import Path

import cv2
import numpy as np
import pytesseract

from ocr import hocr
from ocr.context import PageContext
from ocr.preprocess import quarter_turn

LANG = "vie"
# Tesseract's default (Otsu) thresholding: on pages we flattened and denoised, Sauvola
# (`-c thresholding_method=2`, NOTES.md) measured the same CER here (0.11% vs 0.12% over 84
# synthetic pages, every degradation) for ~60 ms more per page.
CONFIG = "--psm 3 -c lstm_choice_mode=2 -c lstm_choice_iterations=1"
"""Page segmentation 3 (automatic); LSTM symbol choices in the hOCR for `ocr.hocr`.

One choice iteration keeps the runner-ups that matter ("chỉ" / "chi", "276" / "376") for about
2% more CPU than plain TSV; the default five cost about 11% (`tesseract` timed on 4
preprocessed benchmark pages, 3 rounds); none at all (0) loses them."""
TIMEOUT = 180  # seconds per Tesseract call: a hostile page must not hold a worker forever
_OSD_ROTATE = re.compile(r"Rotate:\s+(\d+)")
_OSD_CONFIDENCE = re.compile(r"Orientation confidence:\s+([\d.]+)")


def limit_threads() -> None:
    """One Tesseract thread per process: OpenMP threading is slower here (NOTES.md)."""
    os.environ["OMP_THREAD_LIMIT"] = "1"


def engine_versions() -> dict[str, str]:
    return {
        "tesseract": str(pytesseract.get_tesseract_version()),
        "opencv": cv2.__version__,
        "lang": LANG,
        "config": CONFIG,
    }


def _write_temp(image: np.ndarray, folder: str) -> str:
    # Uncompressed: the file lives for one Tesseract call, and PNG-compressing a noisy page
    # costs ~75 ms against ~4 ms for BMP.
    path = os.path.join(folder, "page.bmp")
    cv2.imwrite(path, image)
    return path


def read_words(image_path: str | Path, *, config: str = CONFIG) -> hocr.Reading:
    """Run Tesseract on a file; words in reading order, with processed-image boxes and the
    alternative readings its LSTM weighed (`ocr.hocr`)."""
    raw = pytesseract.image_to_pdf_or_hocr(
        str(image_path), lang=LANG, config=config, extension="hocr", timeout=TIMEOUT
    )
    return hocr.parse(raw)


def detect_rotation(image_path: str | Path) -> int:
    """Clockwise quarter turn that makes the page upright, per Tesseract OSD (0 when unsure)."""
    try:
        osd = pytesseract.image_to_osd(str(image_path), config="--psm 0", timeout=TIMEOUT)
    except pytesseract.TesseractError:
        return 0  # too little text to tell: keep the page as it is
    rotate = _OSD_ROTATE.search(osd)
    confidence = _OSD_CONFIDENCE.search(osd)
    if not rotate or not confidence or float(confidence.group(1)) < 2.0:
        return 0
    return int(rotate.group(1))


def _to_scan(box: tuple[int, int, int, int], inverse: np.ndarray) -> tuple[int, int, int, int]:
    left, top, width, height = box
    corners = np.array(
        [
            [left, top, 1],
            [left + width, top, 1],
            [left, top + height, 1],
            [left + width, top + height, 1],
        ],
        dtype=np.float64,
    )
    mapped = corners @ inverse.T
    x0, y0 = mapped.min(axis=0)
    x1, y1 = mapped.max(axis=0)
    return round(x0), round(y0), round(x1 - x0), round(y1 - y0)


def recognize(ctx: PageContext, *, orientation: bool = True) -> PageContext:
    """Recognise the page; when it reads poorly, ask OSD for a quarter turn and read again.

    Upright pages (nearly all scans) skip the OSD pass, which costs as much as a short page.
    """
    with tempfile.TemporaryDirectory(prefix="popgate-ocr-") as folder:
        path = _write_temp(ctx.image, folder)
        reading = read_words(path)
        if orientation and (len(reading.words) < 20 or reading.engine_confidence < 70):
            turn = detect_rotation(path)
            if turn:
                quarter_turn(ctx, turn)
                path = _write_temp(ctx.image, folder)
                reading = read_words(path)
    ctx.words = [dataclasses.replace(w, box=_to_scan(w.box, ctx.inverse)) for w in reading.words]
    return ctx
