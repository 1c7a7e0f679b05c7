"""The token signing key ring: ES256 keys sealed at rest, rotation, the published JWKS, sign/verify.

One key signs at a time. `rotate` retires it; a retired key stays in the JWKS (and keeps verifying)
until every token it signed has expired. Each process reloads the ring from the database on a timer
and whenever it meets an unknown `kid`, so a rotation made by another process is picked up.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, Key, KeySet
from sqlalchemy import update

from store.base import utcnow
from store.engine import Database
from store.secretbox import SecretBox
from store.signing_keys import SigningKey, list_keys

ALG = "ES256"


class NoSigningKey(RuntimeError):
    """The ring holds no active key (the database has none yet)."""


@dataclass(frozen=True)
class KeyInfo:
    kid: str
    alg: str
    created_at: dt.datetime
    retired_at: dt.datetime | None
    publish_until: dt.datetime | None

    def public(self) -> dict[str, Any]:
        return {
            "kid": self.kid,
            "alg": self.alg,
            "created_at": self.created_at.isoformat(),
            "retired_at": self.retired_at.isoformat() if self.retired_at else None,
            "publish_until": self.publish_until.isoformat() if self.publish_until else None,
            "active": self.retired_at is None,
        }


def _context(kid: str) -> bytes:
    return b"signing-key:" + kid.encode()


def new_kid() -> str:
    return secrets.token_urlsafe(12)


def _new_key_row(box: SecretBox, *, by: str, kid: str | None = None) -> SigningKey:
    kid = kid or new_kid()
    key = ECKey.generate_key("P-256", parameters={"kid": kid, "alg": ALG, "use": "sig"})
    return SigningKey(
        kid=kid,
        alg=ALG,
        private_jwk=box.encrypt(
            json.dumps(key.as_dict(private=True)).encode(), context=_context(kid)
        ),
        public_jwk=json.dumps(key.as_dict(private=False)),
        created_at=utcnow(),
        created_by=by,
    )


class KeyRing:
    """The keys this process signs and verifies with, loaded from the database."""

    RELOAD_AFTER_UNKNOWN_KID = 1.0  # seconds

    def __init__(self, db: Database, box: SecretBox, *, retire_grace: dt.timedelta) -> None:
        self._db = db
        self._box = box
        self._retire_grace = retire_grace
        self._active: ECKey | None = None
        self._verifying = KeySet([])
        self._published: list[dict[str, Any]] = []
        self._infos: list[KeyInfo] = []
        self._loaded_at = 0.0

    async def load(self, *, create: bool = True) -> None:
        """Read the keys; with `create`, make the first key when there is none."""
        async with self._db.sessions.begin() as session:
            rows = await list_keys(session)
            if create and not any(r.retired_at is None for r in rows):
                session.add(_new_key_row(self._box, by="system:first-start"))
                await session.flush()
                rows = await list_keys(session)
        self._install(rows)

    def _install(self, rows: list[SigningKey]) -> None:
        now = utcnow()
        active: ECKey | None = None
        verifying: list[Key] = []
        published: list[dict[str, Any]] = []
        for row in rows:
            if row.publish_until is not None and row.publish_until <= now:
                continue
            if row.retired_at is None:
                sealed = self._box.decrypt(row.private_jwk, context=_context(row.kid))
                active = ECKey.import_key(json.loads(sealed))
            public = json.loads(row.public_jwk)
            verifying.append(ECKey.import_key(public))
            published.append(public)
        self._active = active
        self._verifying = KeySet(verifying)
        self._published = published
        self._infos = [
            KeyInfo(r.kid, r.alg, r.created_at, r.retired_at, r.publish_until) for r in rows
        ]
        self._loaded_at = time.monotonic()

    def seconds_since_load(self) -> float:
        return time.monotonic() - self._loaded_at

    def has_active(self) -> bool:
        return self._active is not None

    def current(self) -> ECKey:
        if self._active is None:
            raise NoSigningKey("no active signing key")
        return self._active

    def jwks(self) -> dict[str, Any]:
        return {"keys": list(self._published)}

    def infos(self) -> list[KeyInfo]:
        return list(self._infos)

    def knows(self, kid: str) -> bool:
        return any(k.kid == kid for k in self._verifying.keys)

    async def refresh_for(self, token: str) -> None:
        """Reload when a token names a key this process has not seen (rotated elsewhere);
        at most once a second, so garbage `kid`s cannot hammer the database."""
        try:
            kid = jws.extract_compact(token.encode()).headers().get("kid")
        except (JoseError, ValueError):
            return
        if (
            isinstance(kid, str)
            and not self.knows(kid)
            and self.seconds_since_load() > self.RELOAD_AFTER_UNKNOWN_KID
        ):
            await self.load(create=False)

    def sign(self, claims: Mapping[str, Any], *, typ: str = "at+jwt") -> str:
        key = self.current()
        header = {"alg": ALG, "typ": typ, "kid": key.kid}
        return jwt.encode(header, dict(claims), key, algorithms=[ALG])

    def verify(self, token: str) -> jwt.Token:
        """Check the signature against the published keys (ES256 only); raises JoseError."""
        return jwt.decode(token, self._verifying, algorithms=[ALG])

    async def rotate(self, *, by: str, kid: str | None = None) -> KeyInfo:
        """Retire the active key (still published for `retire_grace`); sign with a new one
        (`kid` chosen beforehand when the caller audits the rotation first)."""
        now = utcnow()
        async with self._db.sessions.begin() as session:
            await session.execute(
                update(SigningKey)
                .where(SigningKey.retired_at.is_(None))
                .values(retired_at=now, publish_until=now + self._retire_grace)
            )
            row = _new_key_row(self._box, by=by, kid=kid)
            session.add(row)
            await session.flush()
            info = KeyInfo(row.kid, row.alg, row.created_at, None, None)
            rows = await list_keys(session)
        self._install(rows)
        return info
