"""The master key: encryption at rest (AES-256-GCM) and keyed hashes (HMAC-SHA256) of identifiers.

The key comes from `POPGATE_SECRET_KEY` (base64url, 32 bytes) or, on first use, is generated into
`DATA_DIR/secret.key` with mode 0600. Derived sub-keys keep encryption and hashing apart.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_VERSION = b"\x01"


class SecretBoxError(ValueError):
    """A ciphertext that does not decrypt under this key (tampered, or another key)."""


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=b"popgate:" + purpose).derive(master)


class SecretBox:
    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != 32:
            raise ValueError("the master key must be 32 bytes")
        self._aead = AESGCM(_derive(master_key, b"encrypt"))
        self._hash_key = _derive(master_key, b"hash")

    def encrypt(self, plaintext: bytes, *, context: bytes = b"") -> bytes:
        """`context` (associated data) binds a ciphertext to where it is stored."""
        nonce = os.urandom(12)
        return _VERSION + nonce + self._aead.encrypt(nonce, plaintext, context)

    def decrypt(self, blob: bytes, *, context: bytes = b"") -> bytes:
        if len(blob) < 29 or blob[:1] != _VERSION:
            raise SecretBoxError("not a popgate ciphertext")
        try:
            return self._aead.decrypt(blob[1:13], blob[13:], context)
        except Exception as exc:
            raise SecretBoxError("ciphertext does not decrypt under this key") from exc

    def keyed_hash(self, value: str, *, domain: str = "") -> str:
        """Hex HMAC-SHA256: equal inputs give equal hashes, without revealing the input."""
        msg = domain.encode() + b"\x00" + value.encode()
        return hmac.new(self._hash_key, msg, hashlib.sha256).hexdigest()


def load_master_key(configured: str | None, data_dir: Path) -> bytes:
    """The configured key, or the one kept in DATA_DIR/secret.key (created on first use)."""
    if configured:
        key = base64.urlsafe_b64decode(configured + "=" * (-len(configured) % 4))
        if len(key) != 32:
            raise ValueError("POPGATE_SECRET_KEY must be 32 bytes, base64url-encoded")
        return key
    path = data_dir / "secret.key"
    if path.exists():
        return base64.urlsafe_b64decode(path.read_bytes().strip())
    data_dir.mkdir(parents=True, exist_ok=True)
    key = os.urandom(32)
    # Written aside, synced, then linked into place: a concurrent first start never reads a
    # partial file, and the first process to link wins.
    tmp = path.with_name(f"secret.key.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(base64.urlsafe_b64encode(key))
        f.flush()
        os.fsync(f.fileno())
    try:
        os.link(tmp, path)
    except FileExistsError:
        return base64.urlsafe_b64decode(path.read_bytes().strip())
    finally:
        tmp.unlink()
    return key
