"""`popgate digitize` as a real subprocess: killed with SIGKILL mid-batch, then `--resume`."""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import numpy as np
from PIL import Image
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from ocr import ingest, synth
from ocr.records import signed_payload
from ocr.signing import verify_with_certificate
from store.records import DigitizedRecord, opened
from store.secretbox import SecretBox, load_master_key
from tests.support.certs import PASSWORD, officer_p12
from tests.support.server import POPGATE, popgate_env

DOCUMENTS = 8


def _scans(folder: Path) -> set[str]:
    """Eight one-page documents, one three-page TIFF, five bad files; returns the page hashes."""
    folder.mkdir()
    for seed in range(40, 40 + DOCUMENTS):
        synth.write_page(folder / "single", seed, "clean")
    pages = [synth.render(synth.make_document(seed))[0] for seed in (60, 61, 62)]
    pages[0].save(
        folder / "dossier.tif", save_all=True, append_images=pages[1:], compression="tiff_lzw"
    )
    bad = folder / "bad"
    bad.mkdir()
    (bad / "zero.png").write_bytes(b"")
    (bad / "letter.png").write_text("Kính gửi: not an image")
    buf = io.BytesIO()
    Image.fromarray(np.random.default_rng(2).integers(0, 255, (600, 400), dtype=np.uint8)).save(
        buf, "JPEG"
    )
    (bad / "cut.jpg").write_bytes(buf.getvalue()[:5000])
    Image.new("1", (30_000, 30_000), 1).save(bad / "bomb.png")
    good = ingest.find_files([folder / "single", folder / "dossier.tif"])
    return {page.page_hash for path in good for page in ingest.open_source(path).pages}


def _count(db: Path, table: str) -> int:
    if not db.exists():
        return 0
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as conn:
        try:
            return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608
        except sqlite3.OperationalError:
            return 0  # tables not created yet


def test_a_killed_batch_resumes_with_no_page_lost_and_none_recorded_twice(tmp_path: Path) -> None:
    scans = tmp_path / "scans"
    hashes = _scans(scans)
    assert len(hashes) == DOCUMENTS + 3
    env = popgate_env(tmp_path / "var", {"POPGATE_LOG_LEVEL": "WARNING"})
    db = tmp_path / "var" / "popgate.db"
    log = (tmp_path / "first.log").open("w")
    first = subprocess.Popen(
        [POPGATE, "digitize", str(scans), "--workers", "1", "--no-crosscheck"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        while _count(db, "digitized_pages") < 3 and first.poll() is None:
            time.sleep(0.05)
        assert first.poll() is None, "the batch ended before it could be killed"
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait()
    assert _count(db, "digitized_records") < DOCUMENTS + 1

    export = tmp_path / "out.jsonl"
    resumed = subprocess.run(
        [
            POPGATE,
            "digitize",
            "--resume",
            "--workers",
            "2",
            "--no-crosscheck",
            "--export",
            str(export),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert _count(db, "digitized_records") == DOCUMENTS + 1
    assert _count(db, "digitized_pages") == len(hashes)
    with sqlite3.connect(db) as conn:
        stored = {h for (h,) in conn.execute("SELECT page_hash FROM digitized_pages")}
        sources = [s for (s,) in conn.execute("SELECT source FROM digitized_records")]
    assert stored == hashes
    assert len(sources) == len(set(sources))

    lines = [json.loads(line) for line in export.read_text().splitlines()]
    assert len(lines) == DOCUMENTS + 1
    assert sorted(line["pages"] for line in lines) == [1] * DOCUMENTS + [3]
    summary = resumed.stdout
    assert f"documents: {DOCUMENTS + 1}" in summary
    assert "failures: 4" in summary
    for name, reason in [
        ("zero.png", "empty file"),
        ("letter.png", "not a PNG, JPEG, TIFF or PDF"),
        ("cut.jpg", "truncated"),
        ("bomb.png", "too large"),
    ]:
        line = next(
            ln for ln in summary.splitlines() if ln.strip().startswith(str(scans / "bad" / name))
        )
        assert reason in line


def test_with_the_officers_key_file_records_carry_the_officers_signature(tmp_path: Path) -> None:
    scan = synth.write_page(tmp_path / "scans", 44, "clean")
    key_file = tmp_path / "officer.p12"
    key_file.write_bytes(officer_p12())
    var = tmp_path / "var"
    command = [POPGATE, "digitize", str(scan), "--workers", "1", "--no-crosscheck"]

    wrong = popgate_env(var, {"POPGATE_OCR_OFFICER_CERT_PASSWORD": "sai"})
    refused = subprocess.run(
        [*command, "--officer-cert", str(key_file)], env=wrong, capture_output=True, text=True
    )
    assert refused.returncode != 0
    assert "wrong password" in refused.stderr and "sai" not in refused.stderr
    assert _count(var / "popgate.db", "digitized_records") == 0  # nothing read, nothing stored

    env = popgate_env(
        var,
        {"POPGATE_OCR_OFFICER_CERT": str(key_file), "POPGATE_OCR_OFFICER_CERT_PASSWORD": PASSWORD},
    )
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    box = SecretBox(load_master_key(None, var))
    with Session(create_engine(f"sqlite:///{var / 'popgate.db'}")) as session:
        record = opened(session.scalars(select(DigitizedRecord)).one(), box)
        assert (record.signature_alg, record.officer) == ("ES256", "Trần Thị Số Hóa")
        assert record.signer_certificate and record.signature_key_id.startswith("sha256:")
        check = (record.signer_certificate, "ES256", record.signature_key_id)
        assert verify_with_certificate(*check, signed_payload(record), record.signature)
        record.fields["full_name"]["value"] = "NGƯỜI KHÁC"
        assert not verify_with_certificate(*check, signed_payload(record), record.signature)
