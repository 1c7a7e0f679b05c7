"""`popgate serve` runs the audit writer: it opens a segment on start and seals it on shutdown."""

from __future__ import annotations

import subprocess
import urllib.request
from pathlib import Path

from tests.support.server import POPGATE, popgate_env, running


def _verify(data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [POPGATE, "audit", "verify"],
        env=popgate_env(data_dir),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_each_serve_run_leaves_a_sealed_segment_that_verifies(tmp_path: Path) -> None:
    for _ in range(2):
        with running(["serve"], tmp_path) as server:
            with urllib.request.urlopen(server.url + "/metrics", timeout=5) as resp:  # noqa: S310
                assert b"popgate_audit_commit_wait_seconds" in resp.read()
        assert "Traceback" not in server.log()
    result = _verify(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "2 segment(s), 0 event(s), 4 checkpoint(s)" in result.stdout
    assert "unsealed" not in result.stdout
    # The checkpoint key lives in the database, sealed by the master key: no file to copy around.
    assert not (tmp_path / "audit-signing.key").exists()
