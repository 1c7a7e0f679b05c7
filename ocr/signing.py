"""The signature on each digitized record: a small seam the gateway's key ring can replace.

Circular 01/2023/TT-VPCP Art. 8: the digitizing officer signs each electronic copy; integrity is
kept in transfer. The default signer is an HMAC-SHA256 under a key derived from the master key.
"""

from __future__ import annotations

import hmac
import json
from typing import Any, Protocol

from store.secretbox import SecretBox


class RecordSigner(Protocol):
    algorithm: str
    key_id: str

    def sign(self, payload: bytes) -> str: ...

    def verify(self, payload: bytes, signature: str) -> bool: ...


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8: the exact bytes that are signed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class HmacRecordSigner:
    """HS256 over the canonical JSON, keyed by the master key's keyed-hash sub-key."""

    algorithm = "HS256"

    def __init__(self, box: SecretBox, key_id: str = "master") -> None:
        self._box = box
        self.key_id = key_id

    def sign(self, payload: bytes) -> str:
        return self._box.keyed_hash(payload.decode(), domain="digitized-record")

    def verify(self, payload: bytes, signature: str) -> bool:
        return hmac.compare_digest(self.sign(payload), signature)
