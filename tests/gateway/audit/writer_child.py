"""A process that records audit events as fast as it can, printing each one once committed.

Run by the kill test: `python writer_child.py DATABASE_URL DATA_DIR [SCHEMA]`.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from gateway.audit.signing import load_shared_signer
from gateway.audit.writer import AuditWriter, WriterOptions
from store.engine import create_database
from store.secretbox import SecretBox, load_master_key
from tests.gateway.audit.support import access


async def main(url: str, data_dir: Path, schema: str | None) -> None:
    db = create_database(url, schema=schema, pool_size=2)
    box = SecretBox(load_master_key(None, data_dir))
    writer = AuditWriter(
        db, box, await load_shared_signer(db, box, data_dir), WriterOptions(checkpoint_seconds=0.05)
    )
    await writer.start()
    n = 0
    while True:
        batch = range(n, n + 8)
        await asyncio.gather(*(writer.record(access(i)) for i in batch))
        for i in batch:
            sys.stdout.write(f"{i}\n")
        sys.stdout.flush()
        n += 8


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], Path(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else None))
