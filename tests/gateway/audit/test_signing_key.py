"""The checkpoint signing key: one per installation, shared through the database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from gateway.audit.signing import BadSignature, load_shared_signer
from store.engine import Database
from store.secretbox import SecretBox


async def test_every_process_gets_the_same_key_and_a_foreign_master_key_cannot_read_it(
    database: Database, tmp_path: Path
) -> None:
    box = SecretBox(b"\x05" * 32)
    first, second = await asyncio.gather(
        load_shared_signer(database, box, tmp_path), load_shared_signer(database, box, tmp_path)
    )
    token = first.sign({"segment": 1})
    assert second.verify(token) == {"segment": 1}
    again = await load_shared_signer(database, box, tmp_path)
    assert again.kid == first.kid
    with pytest.raises(BadSignature, match="master key"):
        await load_shared_signer(database, SecretBox(b"\x06" * 32), tmp_path)
