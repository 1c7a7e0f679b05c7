"""The page pipeline: load → preprocess → recognize, one page at a time, as a plain function."""

from __future__ import annotations

from ocr import ingest, preprocess, recognize
from ocr.context import PageContext, PageResult
from ocr.ingest import PageRef


def process_page(ref: PageRef) -> PageResult:
    """Everything a worker does for one page; raises `ingest.UnreadableFile` for a bad page."""
    pixels, dpi = ingest.load_page(ref)
    height, width = pixels.shape[:2]
    ctx = PageContext(ref.source, ref.index, ref.page_hash, pixels, dpi)
    preprocess.preprocess(ctx)
    recognize.recognize(ctx)
    return PageResult(
        source=str(ref.source),
        index=ref.index,
        page_hash=ref.page_hash,
        width=width,
        height=height,
        rotation=ctx.rotation,
        skew=ctx.skew,
        words=tuple(ctx.words),
    )
