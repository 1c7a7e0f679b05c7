"""`popgate serve` as a real process: it starts, serves, and fails clearly when it cannot."""

from __future__ import annotations

import json
import socket
import subprocess
import urllib.request
from pathlib import Path

from tests.support.server import POPGATE, free_port, popgate_env, running


def _get(url: str) -> tuple[int, dict[str, object]]:
    with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 - loopback only
        return resp.status, json.loads(resp.read())


def test_serve_answers_health_readiness_and_metrics(tmp_path: Path) -> None:
    with running(["serve"], tmp_path) as server:
        assert _get(server.url + "/healthz") == (200, {"status": "ok"})
        status, ready = _get(server.url + "/readyz")
        assert status == 200 and ready["status"] == "ready"
        with urllib.request.urlopen(server.url + "/metrics", timeout=5) as resp:  # noqa: S310
            assert b"popgate_http_requests_total" in resp.read()
        assert (tmp_path / "var" / "popgate.db").exists() or (tmp_path / "popgate.db").exists()
    banner = server.log()
    assert f"{server.url}/healthz" in banner
    assert "Traceback" not in banner
    request_lines = [json.loads(line) for line in banner.splitlines() if '"request"' in line]
    assert request_lines and all("correlation_id" in line for line in request_lines)


def _run_serve(tmp_path: Path, env: dict[str, str], port: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [POPGATE, "serve", "--port", str(port)],
        env=popgate_env(tmp_path, env),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )


def test_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        result = _run_serve(tmp_path, {}, port)
    assert result.returncode != 0
    assert "already in use" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_database_is_a_clear_error(tmp_path: Path) -> None:
    env = {"POPGATE_DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:1/none"}
    result = _run_serve(tmp_path, env, free_port())
    assert result.returncode != 0
    assert "cannot reach the database" in result.stderr
    assert "Traceback" not in result.stderr


def test_corrupt_sqlite_file_is_a_clear_error_and_kept(tmp_path: Path) -> None:
    db = tmp_path / "popgate.db"
    db.write_bytes(b"\x00garbage" * 512)
    before = db.read_bytes()
    result = _run_serve(tmp_path, {"POPGATE_DATA_DIR": str(tmp_path)}, free_port())
    assert result.returncode != 0
    assert "not a database" in result.stderr
    assert "Traceback" not in result.stderr
    assert db.read_bytes() == before


def test_invalid_setting_is_a_clear_error(tmp_path: Path) -> None:
    result = _run_serve(tmp_path, {"POPGATE_LOG_LEVEL": "LOUD"}, free_port())
    assert result.returncode != 0
    assert "POPGATE_LOG_LEVEL" in result.stderr
