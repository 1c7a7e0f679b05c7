"""Ingest: find scans in files and folders, check them, and open their pages one at a time.

PNG, JPEG, TIFF (multi-page) and PDF (rasterised with pypdfium2). Each page is identified by the
SHA-256 of its content, so re-runs skip work already done. A file that cannot be read is reported
with a reason and skipped; it never stops a batch.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageFile

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}
PDF_SUFFIXES = {".pdf"}
SUFFIXES = IMAGE_SUFFIXES | PDF_SUFFIXES
# A4 at 600 dpi is ~35 Mpx; anything far larger is a decompression bomb, not a scan.
MAX_PIXELS = 80_000_000
MAX_SIDE = 20_000
PDF_DPI = 200

_MAGIC = {
    b"\x89PNG\r\n\x1a\n": "png",
    b"\xff\xd8\xff": "jpeg",
    b"II*\x00": "tiff",
    b"MM\x00*": "tiff",
    b"%PDF-": "pdf",
}


class UnreadableFile(ValueError):
    """A file that is not a readable scan; the message says why, without its content."""


@dataclasses.dataclass(frozen=True, slots=True)
class PageRef:
    """A page to process: where it is and its content hash."""

    source: Path
    index: int
    page_hash: str


@dataclasses.dataclass(frozen=True, slots=True)
class SourceFile:
    path: Path
    kind: str  # png | jpeg | tiff | pdf
    pages: tuple[PageRef, ...]


def find_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Scan files under `paths` (folders recursively, sorted), lazily; unknown suffixes skipped."""
    for path in paths:
        if path.is_dir():
            for folder, dirs, files in os.walk(path):
                dirs.sort()
                for name in sorted(files):
                    if Path(name).suffix.lower() in SUFFIXES:
                        yield Path(folder) / name
        else:
            yield path


def sniff(path: Path) -> str:
    """The real format from the first bytes, whatever the name says."""
    try:
        with path.open("rb") as f:
            head = f.read(8)
    except OSError as exc:
        raise UnreadableFile(f"cannot read file: {exc.strerror or exc}") from None
    if not head:
        raise UnreadableFile("empty file (0 bytes)")
    for magic, kind in _MAGIC.items():
        if head.startswith(magic):
            return kind
    raise UnreadableFile("not a PNG, JPEG, TIFF or PDF file")


def _check_size(width: int, height: int) -> None:
    if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
        raise UnreadableFile(f"image too large ({width}x{height} pixels): refused as unsafe")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _open_image(path: Path) -> Image.Image:
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(path)
            _check_size(*image.size)
            return image
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UnreadableFile("image too large: refused as unsafe") from None
    except (OSError, SyntaxError, ValueError) as exc:
        if isinstance(exc, UnreadableFile):
            raise
        raise UnreadableFile(f"unreadable image: {exc}") from None


def _frame_pixels(image: Image.Image) -> tuple[np.ndarray, float | None]:
    try:
        image.load()
    except (OSError, SyntaxError, ValueError) as exc:
        raise UnreadableFile(f"corrupt or truncated image: {exc}") from None
    if image.mode not in ("L", "RGB", "RGBA"):
        image = image.convert("RGB" if image.mode not in ("1", "I;16", "I") else "L")
    dpi = image.info.get("dpi")
    declared = float(dpi[0]) if dpi and dpi[0] else None
    return np.asarray(image), declared


def open_source(path: Path) -> SourceFile:
    """Check a file and list its pages with their hashes; raises `UnreadableFile`."""
    kind = sniff(path)
    if kind == "pdf":
        pages = tuple(PageRef(path, i, h) for i, h in enumerate(_pdf_hashes(path)))
    elif kind == "tiff":
        pages = tuple(PageRef(path, i, h) for i, h in enumerate(_tiff_hashes(path)))
    else:
        _open_image(path)  # header and size; a truncated body fails when the page is decoded
        pages = (PageRef(path, 0, _sha256(path.read_bytes())),)
    if not pages:
        raise UnreadableFile("document has no pages")
    return SourceFile(path, kind, pages)


def _tiff_hashes(path: Path) -> list[str]:
    image = _open_image(path)
    hashes = []
    for i in range(getattr(image, "n_frames", 1)):
        image.seek(i)
        _check_size(*image.size)
        pixels, _ = _frame_pixels(image)
        hashes.append(_sha256(f"{pixels.shape}".encode() + pixels.tobytes()))
    return hashes


def _open_pdf(path: Path) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        # PDFium refuses a PDF with no pages at load time, as it does a damaged one.
        raise UnreadableFile(f"unreadable PDF (no pages, or damaged): {exc}") from None


def _pdf_hashes(path: Path) -> list[str]:
    pdf = _open_pdf(path)
    try:
        return [_sha256(_render_pdf_page(pdf, i)[0].tobytes()) for i in range(len(pdf))]
    finally:
        pdf.close()


def _render_pdf_page(pdf: pdfium.PdfDocument, index: int) -> tuple[np.ndarray, float]:
    page = pdf[index]
    width, height = page.get_size()  # points
    _check_size(round(width / 72 * PDF_DPI), round(height / 72 * PDF_DPI))
    bitmap = page.render(scale=PDF_DPI / 72, grayscale=True)
    pixels = np.array(bitmap.to_pil().convert("L"))
    page.close()
    return pixels, float(PDF_DPI)


def load_page(ref: PageRef) -> tuple[np.ndarray, float | None]:
    """Decode one page: its pixels and declared resolution (dpi) when the file says."""
    kind = sniff(ref.source)
    if kind == "pdf":
        pdf = _open_pdf(ref.source)
        try:
            return _render_pdf_page(pdf, ref.index)
        finally:
            pdf.close()
    image = _open_image(ref.source)
    if ref.index:
        image.seek(ref.index)
        _check_size(*image.size)
    return _frame_pixels(image)
