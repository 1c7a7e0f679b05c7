"""Character error rate of OCRmyPDF (`--deskew --clean`) beside popgate, on the same pages.

Run: `.venv/bin/python -m bench.ocrmypdf --count 3` when `ocrmypdf` is on the PATH (Debian:
`apt-get install ocrmypdf`; it is not a dependency of popgate). Per degradation, the total edits
over the total characters of the ground truth, both read with `-l vie`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
from collections import defaultdict
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from bench.ocr import _norm
from ocr import ingest, pipeline, synth


def _ocrmypdf(path: Path, folder: Path, dpi: int) -> str:
    sidecar = folder / (path.stem + ".txt")
    command = ["ocrmypdf", "-l", "vie", "--deskew", "--clean", "--image-dpi", str(dpi)]
    command += ["--sidecar", str(sidecar), "--output-type", "pdf", str(path)]
    command += [str(folder / (path.stem + ".pdf"))]
    subprocess.run(command, check=True, capture_output=True, env=dict(os.environ))
    return sidecar.read_text()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=3, help="documents per degradation")
    parser.add_argument("--seed", type=int, default=9000)
    parser.add_argument("--dpi", type=int, default=200)
    args = parser.parse_args()
    if not shutil.which("ocrmypdf"):
        raise SystemExit("ocrmypdf is not installed (apt-get install ocrmypdf)")
    os.environ["OMP_THREAD_LIMIT"] = "1"
    chars: dict[str, int] = defaultdict(int)
    edits: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    with tempfile.TemporaryDirectory(prefix="popgate-ocrmypdf-") as tmp:
        folder = Path(tmp)
        paths = synth.write_set(folder, args.count, args.seed, synth.DEGRADATIONS, args.dpi)
        for path in paths:
            truth = _norm(json.loads(path.with_suffix(".json").read_text())["text"])
            kind = path.stem.rsplit("-", 1)[1]
            chars[kind] += len(truth)
            page = pipeline.process_page(ingest.open_source(path).pages[0])
            edits[kind]["popgate"] += Levenshtein.distance(_norm(page.text), truth)
            theirs = _ocrmypdf(path, folder, args.dpi)
            edits[kind]["ocrmypdf"] += Levenshtein.distance(_norm(theirs), truth)
    print(f"{len(paths)} pages at {args.dpi} dpi")
    print(f"{'degradation':13} {'CER popgate':>11} {'CER OCRmyPDF':>12}")
    for kind in synth.DEGRADATIONS:
        if chars[kind]:
            pop, other = edits[kind]["popgate"], edits[kind]["ocrmypdf"]
            print(f"{kind:13} {pop / chars[kind]:11.3%} {other / chars[kind]:12.2%}")


if __name__ == "__main__":
    main()
