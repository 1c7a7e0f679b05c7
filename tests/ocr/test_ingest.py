"""Ingest: formats, folders, page hashes, and bad files reported with a reason."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image

from ocr import ingest


def _png(path: Path, shade: int = 200, size: tuple[int, int] = (80, 60)) -> Path:
    Image.new("L", size, shade).save(path)
    return path


def test_folders_are_walked_recursively_and_in_order(tmp_path: Path) -> None:
    (tmp_path / "b" / "c").mkdir(parents=True)
    _png(tmp_path / "b" / "c" / "2.png")
    _png(tmp_path / "b" / "1.png")
    (tmp_path / "notes.txt").write_text("x")
    found = [p.relative_to(tmp_path).as_posix() for p in ingest.find_files([tmp_path])]
    assert found == ["b/1.png", "b/c/2.png"]


def test_multi_page_tiff_and_pdf_give_one_hash_per_page(tmp_path: Path) -> None:
    pages = [Image.new("L", (100, 140), shade) for shade in (255, 128, 0)]
    pages[0].save(tmp_path / "three.tif", save_all=True, append_images=pages[1:])
    pages[0].convert("RGB").save(
        tmp_path / "three.pdf", save_all=True, append_images=[p.convert("RGB") for p in pages[1:]]
    )
    for name in ("three.tif", "three.pdf"):
        source = ingest.open_source(tmp_path / name)
        assert len(source.pages) == 3
        assert len({p.page_hash for p in source.pages}) == 3
        pixels, _ = ingest.load_page(source.pages[2])
        assert pixels.mean() < 10


def test_the_same_content_gives_the_same_hash(tmp_path: Path) -> None:
    a = ingest.open_source(_png(tmp_path / "a.png")).pages[0].page_hash
    b = ingest.open_source(_png(tmp_path / "b.png")).pages[0].page_hash
    c = ingest.open_source(_png(tmp_path / "c.png", shade=10)).pages[0].page_hash
    assert a == b != c


def _truncated_jpeg(path: Path) -> Path:
    buf = io.BytesIO()
    Image.fromarray(np.random.default_rng(1).integers(0, 255, (400, 300), dtype=np.uint8)).save(
        buf, "JPEG"
    )
    path.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    return path


def _empty_pdf(path: Path) -> Path:
    pdf = pdfium.PdfDocument.new()
    pdf.save(str(path))
    pdf.close()
    return path


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _huge_png(path: Path) -> Path:
    # 30,000 x 30,000 pixels declared, a few kilobytes on disk: a decompression bomb.
    Image.new("1", (30_000, 30_000), 1).save(path)
    return path


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: _write(p / "empty.png", b""), "empty file"),
        (lambda p: _empty_pdf(p / "nopages.pdf"), "no pages"),
        (lambda p: _huge_png(p / "bomb.png"), "too large"),
        (lambda p: _write(p / "text.png", b"hello, not an image"), "not a PNG"),
    ],
)
def test_bad_files_are_refused_with_a_reason(tmp_path: Path, make, reason: str) -> None:
    with pytest.raises(ingest.UnreadableFile, match=reason):
        ingest.open_source(make(tmp_path))


def test_a_truncated_jpeg_fails_when_its_page_is_decoded(tmp_path: Path) -> None:
    source = ingest.open_source(_truncated_jpeg(tmp_path / "cut.jpg"))
    with pytest.raises(ingest.UnreadableFile, match="truncated"):
        ingest.load_page(source.pages[0])
