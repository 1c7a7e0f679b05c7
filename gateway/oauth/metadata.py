"""Authorization server metadata (RFC 8414) and the published signing keys (JWKS, RFC 7517)."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata

from gateway.oauth.client_auth import ASSERTION_ALGORITHMS
from gateway.oauth.context import OAUTH, OAuthConfig
from gateway.oauth.keys import ALG
from schemas.grants import ALL_SCOPES

AUTH_METHODS = ["client_secret_basic", "private_key_jwt"]


def server_metadata(config: OAuthConfig) -> dict[str, Any]:
    base = config.issuer
    metadata = AuthorizationServerMetadata(
        {
            "issuer": base,
            "token_endpoint": base + "/oauth/token",
            "jwks_uri": base + "/oauth/jwks",
            "introspection_endpoint": base + "/oauth/introspect",
            "revocation_endpoint": base + "/oauth/revoke",
            "scopes_supported": list(ALL_SCOPES),
            # No authorization endpoint (machine clients only); RFC 8414 still wants the field.
            "response_types_supported": ["token"],
            "grant_types_supported": ["client_credentials"],
            "token_endpoint_auth_methods_supported": AUTH_METHODS,
            "token_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGORITHMS,
            "introspection_endpoint_auth_methods_supported": AUTH_METHODS,
            "revocation_endpoint_auth_methods_supported": AUTH_METHODS,
            "introspection_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGORITHMS,
            "revocation_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGORITHMS,
            "access_token_signing_alg_values_supported": [ALG],
        }
    )
    metadata.validate()
    return dict(metadata)


async def metadata_endpoint(request: web.Request) -> web.Response:
    return web.json_response(
        server_metadata(request.app[OAUTH].config), headers={"Cache-Control": "max-age=300"}
    )


async def jwks_endpoint(request: web.Request) -> web.Response:
    return web.json_response(
        request.app[OAUTH].keys.jwks(),
        content_type="application/jwk-set+json",
        headers={"Cache-Control": "max-age=60"},
    )
