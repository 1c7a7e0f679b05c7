"""Request signing with LGSP-style credentials (AppName, AccessKey, SecretKey) and its verification.

The secret never travels: each request carries an HMAC-SHA256 over its method, path, timestamp,
a one-time nonce and the SHA-256 digest of its body (DOMAIN.md: LGSPs issue these three values).
The receiving side rejects stale timestamps and replayed nonces.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

HEADER_APP = "X-App-Name"
HEADER_KEY = "X-Access-Key"
HEADER_TIME = "X-Timestamp"
HEADER_NONCE = "X-Nonce"
HEADER_SIGNATURE = "X-Signature"

DEFAULT_SKEW_SECONDS = 300


@dataclass(frozen=True, slots=True)
class Credentials:
    app_name: str
    access_key: str
    secret_key: str

    def __repr__(self) -> str:
        return f"Credentials(app_name={self.app_name!r}, access_key={self.access_key!r})"

    @classmethod
    def generate(cls, app_name: str = "popgate-sandbox") -> Credentials:
        return cls(app_name, "AK" + secrets.token_hex(10), secrets.token_urlsafe(32))


def string_to_sign(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    digest = hashlib.sha256(body).hexdigest()
    return "\n".join([method.upper(), path, timestamp, nonce, digest]).encode()


def signature(secret_key: str, message: bytes) -> str:
    mac = hmac.new(secret_key.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def sign(
    credentials: Credentials,
    method: str,
    path: str,
    body: bytes,
    *,
    now: Callable[[], float] = time.time,
) -> dict[str, str]:
    """The headers that authenticate one request."""
    timestamp = str(int(now()))
    nonce = secrets.token_hex(16)
    message = string_to_sign(method, path, timestamp, nonce, body)
    return {
        HEADER_APP: credentials.app_name,
        HEADER_KEY: credentials.access_key,
        HEADER_TIME: timestamp,
        HEADER_NONCE: nonce,
        HEADER_SIGNATURE: signature(credentials.secret_key, message),
    }


class SignatureRejected(Exception):
    """Why a request's signature was refused; safe to return to the caller."""


class Verifier:
    """Server side: known credentials, a clock-skew window and a memory of recent nonces."""

    def __init__(
        self,
        credentials: Mapping[str, Credentials],
        *,
        max_skew: int = DEFAULT_SKEW_SECONDS,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._by_key = dict(credentials)
        self._max_skew = max_skew
        self._now = now
        self._seen: dict[str, float] = {}
        self._next_prune = 0.0

    def verify(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> str:
        """Return the caller's AppName, or raise `SignatureRejected`."""
        try:
            app, key = headers[HEADER_APP], headers[HEADER_KEY]
            timestamp, nonce = headers[HEADER_TIME], headers[HEADER_NONCE]
            given = headers[HEADER_SIGNATURE]
        except KeyError as missing:
            raise SignatureRejected(f"missing header {missing.args[0]}") from None
        creds = self._by_key.get(key)
        if creds is None or not hmac.compare_digest(creds.app_name, app):
            raise SignatureRejected("unknown AppName or AccessKey")
        if not timestamp.isdigit() or not 8 <= len(nonce) <= 64:
            raise SignatureRejected("malformed timestamp or nonce")
        now = self._now()
        if abs(now - int(timestamp)) > self._max_skew:
            raise SignatureRejected("stale timestamp")
        expected = signature(creds.secret_key, string_to_sign(method, path, timestamp, nonce, body))
        if not hmac.compare_digest(expected, given):
            raise SignatureRejected("wrong signature")
        self._remember(f"{key}:{nonce}", now)
        return creds.app_name

    def _remember(self, nonce: str, now: float) -> None:
        if now >= self._next_prune:
            horizon = now - 2 * self._max_skew
            self._seen = {n: t for n, t in self._seen.items() if t > horizon}
            self._next_prune = now + 60
        if nonce in self._seen:
            raise SignatureRejected("replayed request")
        self._seen[nonce] = now
