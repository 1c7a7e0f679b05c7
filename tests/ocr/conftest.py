"""A small fixed seeded set of synthetic scans, rendered once per test session."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from ocr import synth

# Few pages at 200 dpi keep the suite's OCR time small on two cores.
SEEDS = (11, 12)
KINDS = ("clean", "combined")


@pytest.fixture(scope="session", autouse=True)
def _one_tesseract_thread() -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"


@pytest.fixture(scope="session")
def scans(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[int, str], Path]:
    folder = tmp_path_factory.mktemp("scans")
    return {
        (seed, kind): synth.write_page(folder, seed, kind, doc_type=synth.DOC_TYPES[seed % 4])
        for seed in SEEDS
        for kind in KINDS
    }


def truth(path: Path) -> dict[str, Any]:
    return json.loads(path.with_suffix(".json").read_text())
