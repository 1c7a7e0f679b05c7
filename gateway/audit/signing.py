"""The seam between audit checkpoints and the gateway's signing keys: compact JWS, ES256.

Checkpoints need only two things: sign a JSON payload with the current key, and verify a token
against every published key (older keys included, so checkpoints outlive rotations). `Signer`
says exactly that. `LocalSigner` is a complete implementation over one ES256 key kept encrypted
under DATA_DIR; the OAuth key ring can stand in for it wherever a `Signer` is asked for.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet
from sqlalchemy.exc import IntegrityError

from store.engine import Database
from store.instance import InstanceState, get_state
from store.secretbox import SecretBox, SecretBoxError

ALGORITHM = "ES256"
KEY_FILE = "audit-signing.key"
STATE_KEY = "audit.signing_key"
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


async def load_shared_signer(db: Database, box: SecretBox, data_dir: Path) -> LocalSigner:
    """The installation's checkpoint key, kept in the database sealed by the master key, so that
    every process on every host signs with it and `audit verify` anywhere can check them all.
    Made on first use; an older installation's DATA_DIR key file is taken over, not replaced."""
    async with db.sessions() as session:
        sealed = await get_state(session, STATE_KEY)
    if sealed is None:
        legacy = data_dir / KEY_FILE
        key = (
            _open_sealed(box, legacy.read_bytes())
            if legacy.exists()
            else ECKey.generate_key("P-256")
        )
        blob = box.encrypt(json.dumps(key.as_dict(private=True)).encode(), context=_KEY_CONTEXT)
        try:
            async with db.sessions.begin() as session:
                session.add(InstanceState(key=STATE_KEY, value=blob.hex()))
        except IntegrityError:  # another process stored one first: use theirs
            pass
        else:
            return LocalSigner(key)
        async with db.sessions() as session:
            sealed = await get_state(session, STATE_KEY)
        assert sealed is not None
    return LocalSigner(_open_sealed(box, bytes.fromhex(sealed)))


def _open_sealed(box: SecretBox, blob: bytes) -> ECKey:
    try:
        data = box.decrypt(blob, context=_KEY_CONTEXT)
    except SecretBoxError as exc:
        raise BadSignature("the audit signing key does not decrypt under the master key") from exc
    return ECKey.import_key(json.loads(data))
