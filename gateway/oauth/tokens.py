"""Access tokens as RFC 9068 JWTs: header `typ: at+jwt`, ES256, signed by the key ring."""

from __future__ import annotations

import secrets
import time
from typing import Any

from gateway.oauth.keys import KeyRing

TOKEN_TYPE_HEADER = "at+jwt"


class AccessTokenGenerator:
    """Authlib token generator (registered as "default") for the client_credentials grant."""

    def __init__(self, keys: KeyRing, *, issuer: str, audience: str, ttl: int) -> None:
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._ttl = ttl

    def claims(self, client_id: str, scope: str) -> dict[str, Any]:
        now = int(time.time())
        # RFC 9068 section 2.2; with no resource owner, `sub` is the client (section 2.2, sub).
        return {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": client_id,
            "client_id": client_id,
            "scope": scope,
            "jti": secrets.token_urlsafe(16),
            "iat": now,
            "exp": now + self._ttl,
        }

    def __call__(
        self,
        grant_type: str,
        client: Any,
        user: Any = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = False,
    ) -> dict[str, Any]:
        granted = client.get_allowed_scope(scope)
        claims = self.claims(client.get_client_id(), granted)
        return {
            "access_token": self._keys.sign(claims, typ=TOKEN_TYPE_HEADER),
            "token_type": "Bearer",
            "expires_in": self._ttl,
            "scope": granted,
        }
