"""Start `popgate` commands as real subprocesses on free ports, for end-to-end tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

POPGATE = shutil.which("popgate", path=str(Path(sys.executable).parent)) or "popgate"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def popgate_env(data_dir: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POPGATE_")}
    env["POPGATE_DATA_DIR"] = str(data_dir)
    env.update(extra or {})
    return env


@dataclass
class Server:
    url: str
    process: subprocess.Popen[str]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def wait_http(url: str, process: subprocess.Popen[str], timeout: float, log_path: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=1) as resp:  # noqa: S310 - loopback only
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server did not answer {url} in {timeout}s:\n{log_path.read_text()}")


@contextmanager
def running(
    args: list[str],
    data_dir: Path,
    *,
    env: Mapping[str, str] | None = None,
    ready_path: str = "/healthz",
    timeout: float = 60.0,
) -> Iterator[Server]:
    """Run `popgate ARGS --port P` until the block ends; wait for `ready_path` to answer 200."""
    port = free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir / f"server-{port}.log"
    with log_path.open("w") as log_file:
        process = subprocess.Popen(
            [POPGATE, *args, "--port", str(port)],
            env=popgate_env(data_dir, env),
            stdout=log_file,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=data_dir,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(url + ready_path, process, timeout, log_path)
        yield Server(url, process, log_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
