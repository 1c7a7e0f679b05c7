"""`popgate serve` with a test audit sink appending JSON lines to DATA_DIR/audit.jsonl (tests only:
the real audit writer is wired by `create_app` once it exists)."""

from __future__ import annotations

import asyncio
import sys

import click
from aiohttp import web

from gateway.auditing import AUDIT
from gateway.cli.common import load_settings, run
from gateway.server import serve
from schemas.audit import AuditEvent


class JsonLinesAudit:
    def __init__(self, path: str) -> None:
        self._path = path

    def _append(self, line: str) -> None:
        with open(self._path, "a", encoding="utf-8") as f:
            f.write(line + "\n")

    async def record(self, event: AuditEvent) -> None:
        await asyncio.to_thread(self._append, event.model_dump_json())


@click.command()
@click.option("--port", type=int, required=True)
def main(port: int) -> None:
    settings = load_settings(port=port)
    sink = JsonLinesAudit(str(settings.data_dir / "audit.jsonl"))

    def configure(app: web.Application) -> None:
        app[AUDIT] = sink

    run(serve(settings, configure=configure))


if __name__ == "__main__":
    sys.exit(main())
