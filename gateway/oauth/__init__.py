"""OAuth 2.0 authorization server and resource protection, organised by the RFC each part serves."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from gateway.oauth.context import OAUTH, oauth_ctx
from gateway.oauth.introspect import introspection_endpoint
from gateway.oauth.metadata import jwks_endpoint, metadata_endpoint
from gateway.oauth.protect import CLAIMS_CACHE, ClaimsCache
from gateway.oauth.revoke import revocation_endpoint
from gateway.oauth.server import OAUTH_SERVER, PopgateAuthorizationServer, token_endpoint


async def _server_ctx(app: web.Application) -> AsyncIterator[None]:
    app[OAUTH_SERVER] = PopgateAuthorizationServer(app[OAUTH])
    yield


def setup(app: web.Application) -> None:
    """Wire the OAuth resources (after the database's cleanup_ctx) and endpoints."""
    app.cleanup_ctx.append(oauth_ctx)
    app.cleanup_ctx.append(_server_ctx)
    app[CLAIMS_CACHE] = ClaimsCache()
    app.router.add_post("/oauth/token", token_endpoint)
    app.router.add_post("/oauth/introspect", introspection_endpoint)
    app.router.add_post("/oauth/revoke", revocation_endpoint)
    app.router.add_get("/oauth/jwks", jwks_endpoint)
    app.router.add_get("/.well-known/oauth-authorization-server", metadata_endpoint)
