"""The seam between audit checkpoints and the gateway's signing keys: compact JWS, ES256.

Checkpoints need only two things: sign a JSON payload with the current key, and verify a token
against every published key (older keys included, so checkpoints outlive rotations). `Signer`
says exactly that. `LocalSigner` is a complete implementation over one ES256 key kept encrypted
under DATA_DIR; the OAuth key ring can stand in for it wherever a `Signer` is asked for.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Protocol

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet

from store.secretbox import SecretBox, SecretBoxError

ALGORITHM = "ES256"
KEY_FILE = "audit-signing.key"
_KEY_CONTEXT = b"popgate:audit:signing-key"


class BadSignature(ValueError):
    """A token whose signature does not verify under any published key, or that is malformed."""


class Signer(Protocol):
    def sign(self, payload: dict[str, Any]) -> str:
        """A compact JWS over the canonical JSON of `payload`."""
        ...

    def verify(self, token: str) -> dict[str, Any]:
        """The payload of `token`, or `BadSignature`."""
        ...


class LocalSigner:
    """Signs with one private ES256 key; verifies with a set of public keys (itself included)."""

    def __init__(self, key: ECKey, published: list[ECKey] | None = None) -> None:
        self._key = key
        self.kid = key.thumbprint()
        keys = [key, *(published or [])]
        self._keyset = KeySet([ECKey.import_key(k.as_dict(private=False)) for k in keys])
        for k in self._keyset.keys:
            k.ensure_kid()

    @classmethod
    def generate(cls) -> LocalSigner:
        return cls(ECKey.generate_key("P-256"))

    def sign(self, payload: dict[str, Any]) -> str:
        body = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
        header = {"alg": ALGORITHM, "kid": self.kid, "typ": "popgate-audit+jws"}
        return jws.serialize_compact(header, body, self._key, algorithms=[ALGORITHM])

    def verify(self, token: str) -> dict[str, Any]:
        try:
            obj = jws.deserialize_compact(token, self._keyset, algorithms=[ALGORITHM])
            payload = json.loads(obj.payload)
        except (JoseError, ValueError) as exc:
            raise BadSignature(f"signature does not verify: {type(exc).__name__}") from exc
        if not isinstance(payload, dict):
            raise BadSignature("payload is not a JSON object")
        return payload


def load_local_signer(data_dir: Path, box: SecretBox) -> LocalSigner:
    """The signer whose key is kept (encrypted by the master key) in DATA_DIR; made on first use."""
    path = data_dir / KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        key = ECKey.generate_key("P-256")
        blob = box.encrypt(json.dumps(key.as_dict(private=True)).encode(), context=_KEY_CONTEXT)
        # Written aside then linked into place: a concurrent reader never sees a partial file.
        tmp = path.with_name(f"{KEY_FILE}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(blob)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:  # another process made it first: use theirs
            pass
        else:
            return LocalSigner(key)
        finally:
            tmp.unlink()
    try:
        data = box.decrypt(path.read_bytes(), context=_KEY_CONTEXT)
    except SecretBoxError as exc:
        raise BadSignature(f"{path} does not decrypt under the master key") from exc
    return LocalSigner(ECKey.import_key(json.loads(data)))
