"""Memory of a long `popgate digitize` batch: resident set size sampled as the pages go by.

Run: `.venv/bin/python -m bench.memory --pages 10000` (about 10 minutes on 2 cores). It writes
small distinct pages (a few lines of Vietnamese text each, one document per file, so every page
is recognised and stored), runs the real command on them with a fresh SQLite store, samples the
RSS of the command's main process and of its workers (all its descendants, Tesseract included)
once a second, and prints it at each tenth of the batch: flat memory means the last tenth's
figure is close to the first's.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from ocr import synth

_LINES = (
    "GIẤY XÁC NHẬN",
    "Về việc xác nhận thông tin cư trú số {n}",
    "Họ và tên: NGUYỄN VĂN AN",
    "Địa chỉ: phường An Cư, quận Ninh Kiều, thành phố Cần Thơ",
)


def write_pages(folder: Path, count: int) -> None:
    regular = next(Path(d) / synth.FONT_FAMILIES["liberation"][0] for d in synth.FONT_DIRS)
    font = ImageFont.truetype(str(regular), 22)
    for n in range(count):
        page = Image.new("L", (900, 220), 255)
        draw = ImageDraw.Draw(page)
        for i, line in enumerate(_LINES):
            draw.text((30, 20 + 48 * i), line.format(n=n), font=font, fill=0)
        page.save(folder / f"page-{n:05d}.png", optimize=False)


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    """Children, grandchildren…: the workers hang under the forkserver process."""
    try:
        children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    return [*children, *(d for c in children for d in _descendants(c))]


def _recorded(database: Path) -> int:
    """Pages stored so far (read-only; the command keeps writing)."""
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1) as db:
            return int(db.execute("SELECT count(*) FROM digitized_pages").fetchone()[0])
    except sqlite3.Error:
        return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="popgate-memory-") as tmp:
        folder = Path(tmp) / "pages"
        folder.mkdir()
        write_pages(folder, args.pages)
        env = dict(os.environ, POPGATE_DATA_DIR=str(Path(tmp) / "var"))
        database = Path(tmp) / "popgate.db"
        env["POPGATE_DATABASE_URL"] = f"sqlite+aiosqlite:///{database}"
        log = Path(tmp) / "stderr.log"
        popgate = str(Path(sys.executable).with_name("popgate"))
        subprocess.run([popgate, "db", "upgrade"], env=env, check=True, capture_output=True)
        command = [popgate, "digitize", str(folder), "--no-crosscheck"]
        command += ["--workers", str(args.workers)]
        started = time.monotonic()
        with log.open("w") as err:
            proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=err)
            samples: list[tuple[int, int, int]] = []
            while proc.poll() is None:
                workers = sum(_rss_kib(c) for c in _descendants(proc.pid))
                samples.append((_recorded(database), _rss_kib(proc.pid), workers))
                time.sleep(1.0)
        seconds = time.monotonic() - started
        if proc.returncode:
            print(log.read_text()[-2000:])
            raise SystemExit(f"popgate digitize failed ({proc.returncode})")
        print(f"{args.pages} pages in {seconds:.0f} s ({args.pages / seconds * 60:.0f} pages/min)")
        print(f"{'pages done':>10} {'main RSS MiB':>12} {'workers RSS MiB':>15}")
        for tenth in range(1, 11):
            done = args.pages * tenth // 10
            at = [s for s in samples if s[0] <= done] or samples[:1]  # the last sample before
            pages, main_kib, workers_kib = at[-1]
            print(f"{pages:10d} {main_kib / 1024:12.1f} {workers_kib / 1024:15.1f}")
        peak = max(s[1] for s in samples) / 1024
        print(f"peak main RSS {peak:.1f} MiB")


if __name__ == "__main__":
    main()
