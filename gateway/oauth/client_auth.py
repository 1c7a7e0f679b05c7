"""Client authentication at the token, introspection and revocation endpoints (RFC 6749 section
2.3): `client_secret_basic`, and `private_key_jwt` (RFC 7523 section 2.2, OIDC Core section 9).

Authlib's callbacks are synchronous, so the handler loads the one client a request names before
calling Authlib (`candidate_client_id`, `preloaded`); the assertion's `jti` is checked against the
replay cache afterwards, before any token leaves.
"""

from __future__ import annotations

import base64
import binascii
import contextvars
import hmac
import json
import secrets
import time
from typing import Any, cast
from urllib.parse import unquote

from authlib.oauth2.rfc6749 import ClientMixin, InvalidClientError
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from multidict import MultiMapping

from schemas.grants import ClientAuthMethod
from store.clients import OAuthClient
from store.secretbox import SecretBox

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# Asymmetric algorithms only: an HMAC "signed" with the public key must not pass (RFC 8725 3.1).
ASSERTION_ALGORITHMS = ["ES256", "ES384", "RS256", "PS256"]
ASSERTION_LEEWAY_SECONDS = 10
_SECRET_DOMAIN = "oauth-client-secret"


def new_client_id() -> str:
    return "pg-" + secrets.token_hex(10)


def new_client_secret() -> str:
    return secrets.token_urlsafe(32)  # 256 bits: a keyed hash is enough, no slow KDF needed


def hash_secret(box: SecretBox, secret: str) -> str:
    return box.keyed_hash(secret, domain=_SECRET_DOMAIN)


class Client(ClientMixin):  # type: ignore[misc]
    """An enabled registered client, as Authlib sees it."""

    def __init__(self, row: OAuthClient, box: SecretBox) -> None:
        self.row = row
        self._box = box
        self.scopes = frozenset(row.scopes.split())

    @property
    def client_id(self) -> str:
        return self.row.client_id

    def get_client_id(self) -> str:
        return self.row.client_id

    def get_default_redirect_uri(self) -> None:
        return None

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return False

    def check_response_type(self, response_type: str) -> bool:
        return False

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "client_credentials"

    def get_allowed_scope(self, scope: str | None) -> str:
        # The grant has already refused any scope beyond the allowed ones (invalid_scope).
        return scope if scope else self.row.default_scopes

    def check_client_secret(self, client_secret: str) -> bool:
        if self.row.secret_hash is None:
            return False
        return hmac.compare_digest(self.row.secret_hash, hash_secret(self._box, client_secret))

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == self.row.auth_method

    def public_keys(self) -> KeySet:
        return KeySet.import_key_set(cast(Any, self.row.jwks_dict() or {"keys": []}))


_preloaded: contextvars.ContextVar[Client | None] = contextvars.ContextVar(
    "preloaded_client", default=None
)


def preload(client: Client | None) -> contextvars.Token[Client | None]:
    return _preloaded.set(client)


def query_client(client_id: str) -> Client | None:
    """Authlib's lookup: only the client the handler loaded for this request."""
    client = _preloaded.get()
    if client is None or client.client_id != client_id:
        return None
    if not client.row.enabled:
        raise InvalidClientError(status_code=401, description="The client is disabled.")
    return client


def unverified_claims(assertion: str) -> dict[str, Any]:
    try:
        payload = assertion.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, binascii.Error):
        return {}
    return claims if isinstance(claims, dict) else {}


def candidate_client_id(headers: MultiMapping[str], form: MultiMapping[str]) -> str | None:
    """The client a token request claims to be, before anything is verified."""
    auth = headers.get("Authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        return unquote(decoded.partition(":")[0]) or None
    assertion = form.get("client_assertion")
    if isinstance(assertion, str):
        sub = unverified_claims(assertion).get("sub")
        return sub if isinstance(sub, str) else None
    client_id = form.get("client_id")
    return client_id if isinstance(client_id, str) else None


class PrivateKeyJwt(JWTBearerClientAssertion):  # type: ignore[misc]
    """RFC 7523 client assertions, verified against the client's registered JWK Set."""

    CLIENT_AUTH_METHOD = ClientAuthMethod.PRIVATE_KEY_JWT.value

    def __init__(self, audiences: list[str], max_lifetime: int) -> None:
        super().__init__(validate_jti=True, leeway=ASSERTION_LEEWAY_SECONDS)
        self._audiences = audiences
        self._max_lifetime = max_lifetime

    def get_audiences(self) -> list[str]:
        # RFC 7523 section 3 item 3: the issuer or the token endpoint URL.
        return self._audiences

    def resolve_client_public_key(self, client: Client) -> KeySet:
        return client.public_keys()

    def process_assertion_claims(self, assertion: str, resolve_key: Any) -> dict[str, Any]:
        try:
            token = jwt.decode(assertion, resolve_key, algorithms=ASSERTION_ALGORITHMS)
        except JoseError as exc:
            raise InvalidClientError(
                status_code=401, description=f"Invalid client assertion: {exc.description}"
            ) from exc
        self.verify_claims(token.claims)
        return dict(token.claims)

    def verify_claims(self, claims: Any) -> None:
        super().verify_claims(claims)
        # RFC 7523 section 3 item 4: exp bounds the window in which the jti must be remembered.
        if int(claims["exp"]) - int(time.time()) > self._max_lifetime:
            raise InvalidClientError(
                status_code=401,
                description=f"The assertion expires more than {self._max_lifetime} s ahead.",
            )

    def validate_jti(self, claims: Any, jti: str) -> bool:
        # Checked against the shared replay cache by the handler, asynchronously, before any
        # token is returned (Authlib's callbacks are synchronous).
        return isinstance(jti, str) and 0 < len(jti) <= 256

    def __call__(self, query_client: Any, request: Any) -> Client | None:
        client: Client | None = super().__call__(query_client, request)
        if client is not None:
            claims = unverified_claims(request.form["client_assertion"])
            request.assertion_jti = (claims["jti"], int(claims["exp"]))
        return client
