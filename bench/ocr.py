"""Benchmark the digitization pipeline against the bare `tesseract -l vie` command, same pages.

Run: `.venv/bin/python -m bench.ocr --count 10 --workers 2` (10 documents x 7 degradations).
Prints, per degradation, the character error rate (total edits / total characters) and per-field
exact match for popgate and for bare Tesseract on the raw pages (fields read from its output by
popgate's own extractor); popgate's accepted share and wrong-accepted count as plain
`popgate digitize` reads (built-in lexicon and gazetteer), and again with the synthetic archive's
registers `synth.ISSUERS` and `synth.PLACES` as `POPGATE_OCR_KNOWN_ISSUERS` and
`POPGATE_OCR_KNOWN_PLACES` ("+registers"); then pages per minute
for both with the same number of parallel processes (OMP_THREAD_LIMIT=1 for both, NOTES.md):
wall clock over interleaved rounds, and median CPU seconds per page (steadier on a shared machine).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import tempfile
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from rapidfuzz.distance import Levenshtein

from ocr import extract, hocr, ingest, lexicon, pipeline, recognize, synth, validate
from ocr.context import PageResult, Word


def _norm(text: str) -> str:
    return " ".join(text.split())


def _cpu() -> float:
    """CPU seconds of this process and its waited-for children (the Tesseract runs)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _popgate(path: Path) -> dict[str, Any]:
    started = _cpu()  # a worker runs one page at a time: the delta is this page's
    ref = ingest.open_source(path).pages[0]
    page = pipeline.process_page(ref)
    # As plain `popgate digitize` reads: the built-in lexicon, no archive registers.
    found = extract.extract([page], lexicons=lexicon.lexicons())
    fields = asyncio.run(validate.validate(found, lexicons=lexicon.lexicons()))
    registered = asyncio.run(
        validate.validate(
            extract.extract([page], lexicons=lexicon.lexicons((*synth.ISSUERS, *synth.PLACES))),
            known_issuers=synth.ISSUERS,
            known_places=synth.PLACES,
        )
    )
    return {
        "text": page.text,
        "fields": {n: (f.value, f.status) for n, f in fields.items()},
        "registered": {n: (f.value, f.status) for n, f in registered.items()},
        "reasons": [
            f"{n}: {f.reason.split(' ')[0]}" for n, f in fields.items() if f.status == "review"
        ],
        "cpu": _cpu() - started,
    }


def _bare(path: Path) -> dict[str, Any]:
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    proc = subprocess.Popen(
        ["tesseract", str(path), "stdout", "-l", "vie", "tsv"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    assert proc.stdout is not None
    tsv = proc.stdout.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)  # this child's own CPU time
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise RuntimeError(f"tesseract failed on {path}")
    words: list[Word] = []
    lines: dict[tuple[str, str, str], int] = {}
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or not cols[11].strip() or float(cols[10]) < 0:
            continue
        key = (cols[2], cols[3], cols[4])
        line = lines.setdefault(key, len(lines))
        box = (int(cols[6]), int(cols[7]), int(cols[8]), int(cols[9]))
        words.append(Word(hocr.clean_text(cols[11]), float(cols[10]), box, line))
    page = PageResult(str(path), 0, "", 1654, 2339, 0, 0.0, tuple(words))
    found = extract.extract([page])
    return {
        "text": page.text,
        "fields": {n: (f.value, "") for n, f in found.items()},
        "cpu": usage.ru_utime + usage.ru_stime,
    }


def _warm(_: int) -> int:
    return os.getpid()


def _timed_map(pool: Any, fn: Any, paths: list[Path]) -> tuple[list[dict[str, Any]], float]:
    started = time.perf_counter()
    results = list(pool.map(fn, paths))
    return results, time.perf_counter() - started


def _interleaved(
    threads: ThreadPoolExecutor, pool: ProcessPoolExecutor, paths: list[Path], rounds: int
) -> tuple[list[dict[str, Any]], float, list[dict[str, Any]], float]:
    """Both contenders on the same chunks in alternating order: load from other processes on
    a shared machine falls on both alike."""
    pop: list[dict[str, Any]] = []
    bare: list[dict[str, Any]] = []
    pop_seconds = bare_seconds = 0.0
    size = -(-len(paths) // rounds)
    for i in range(0, len(paths), size):
        chunk = paths[i : i + size]
        order = ("bare", "pop") if (i // size) % 2 == 0 else ("pop", "bare")
        for who in order:
            if who == "bare":
                results, seconds = _timed_map(threads, _bare, chunk)
                bare += results
                bare_seconds += seconds
            else:
                results, seconds = _timed_map(pool, _popgate, chunk)
                pop += results
                pop_seconds += seconds
    return pop, pop_seconds, bare, bare_seconds


def _report(paths: list[Path], pop: list[dict[str, Any]], bare: list[dict[str, Any]]) -> None:
    rows: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    wrong_examples = []
    for path, p, b in zip(paths, pop, bare, strict=True):
        truth = json.loads(path.with_suffix(".json").read_text())
        kind, gt = truth["degradation"], _norm(truth["text"])
        r = rows[kind]
        r["chars"].append(len(gt))
        r["pop_edits"].append(Levenshtein.distance(_norm(p["text"]), gt))
        r["bare_edits"].append(Levenshtein.distance(_norm(b["text"]), gt))
        for name, value in truth["fields"].items():
            pop_value, status = p["fields"].get(name, (None, "review"))
            r["pop_exact"].append(pop_value == value)
            r["bare_exact"].append(b["fields"].get(name, (None, ""))[0] == value)
            r["accepted"].append(status == "accepted")
            if status == "accepted":
                r["accepted_wrong"].append(pop_value != value)
                if pop_value != value:
                    wrong_examples.append((path.name, name, value, pop_value))
            reg_value, reg_status = p["registered"].get(name, (None, "review"))
            r["reg_accepted"].append(reg_status == "accepted")
            if reg_status == "accepted":
                r["reg_wrong"].append(reg_value != value)
    header = (
        f"{'degradation':13} {'pages':>5} {'CER popgate':>11} {'CER bare':>9} "
        f"{'fields popgate':>14} {'fields bare':>11} {'accepted':>8} {'acc. wrong':>10} "
        f"{'+registers':>10} {'wrong':>10}"
    )
    print(header)
    total: dict[str, list[float]] = defaultdict(list)
    for kind in synth.DEGRADATIONS:
        if kind not in rows:
            continue
        r = rows[kind]
        for key, values in r.items():
            total[key].extend(values)
        _row(kind, r)
    _row("all", total)
    reasons = Counter(reason for p in pop for reason in p["reasons"])
    print("review reasons:", ", ".join(f"{r} x{n}" for r, n in reasons.most_common(12)))
    for example in wrong_examples[:20]:
        print("  accepted but wrong:", *example)


def _row(kind: str, r: dict[str, list[float]]) -> None:
    chars = sum(r["chars"])
    wrong = sum(r["accepted_wrong"])
    print(
        f"{kind:13} {len(r['chars']):5d} {sum(r['pop_edits']) / chars:11.3%} "
        f"{sum(r['bare_edits']) / chars:9.2%} {statistics.mean(r['pop_exact']):14.1%} "
        f"{statistics.mean(r['bare_exact']):11.1%} {statistics.mean(r['accepted']):8.1%} "
        f"{wrong:4d}/{len(r['accepted_wrong']):<5d} {statistics.mean(r['reg_accepted']):10.1%} "
        f"{sum(r['reg_wrong']):4d}/{len(r['reg_wrong']):<5d}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10, help="documents per degradation")
    parser.add_argument("--seed", type=int, default=1000)
    parser.add_argument("--dpi", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kinds", default=",".join(synth.DEGRADATIONS))
    parser.add_argument("--rounds", type=int, default=6, help="alternating timing rounds")
    args = parser.parse_args()
    os.environ["OMP_THREAD_LIMIT"] = "1"
    with tempfile.TemporaryDirectory(prefix="popgate-bench-") as folder:
        paths = synth.write_set(
            Path(folder), args.count, args.seed, tuple(args.kinds.split(",")), args.dpi
        )
        print(f"{len(paths)} pages at {args.dpi} dpi, {args.workers} parallel processes each")
        with (
            ThreadPoolExecutor(args.workers) as threads,
            ProcessPoolExecutor(args.workers, initializer=recognize.limit_threads) as pool,
        ):
            list(pool.map(_warm, range(args.workers)))  # start the workers outside the clock
            pop, pop_seconds, bare, bare_seconds = _interleaved(threads, pool, paths, args.rounds)
        _report(paths, pop, bare)
        pop_rate, bare_rate = len(paths) / pop_seconds * 60, len(paths) / bare_seconds * 60
        print(
            f"speed (wall clock): popgate {pop_rate:.1f} pages/min, bare tesseract "
            f"{bare_rate:.1f} pages/min, ratio {pop_rate / bare_rate:.2f}x"
        )
        # CPU time per page is what other load on a shared machine disturbs least; the mean
        # sets the throughput of a whole batch, the median shows a typical page.
        for label, agg in (("mean", statistics.mean), ("median", statistics.median)):
            pop_cpu = agg(r["cpu"] for r in pop)
            bare_cpu = agg(r["cpu"] for r in bare)
            print(
                f"speed ({label} CPU s/page): popgate {pop_cpu:.3f}, bare tesseract "
                f"{bare_cpu:.3f}; on {args.workers} cores {args.workers * 60 / pop_cpu:.1f} vs "
                f"{args.workers * 60 / bare_cpu:.1f} pages/min, ratio {bare_cpu / pop_cpu:.2f}x"
            )


if __name__ == "__main__":
    main()
