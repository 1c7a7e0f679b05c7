"""The application factory: settings in, a wired aiohttp application out, no globals."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from gateway import access_check, admin, health, oauth, openapi, record_review, records, rest, soap
from gateway.audit import http as audit_http
from gateway.audit.service import audit_ctx
from gateway.keys import DATABASE, METRICS, READINESS, SETTINGS
from gateway.metrics import Metrics
from gateway.middleware import REQUEST_IDS, RequestIds, body_limit, request_context
from gateway.oauth.protect import require
from gateway.ratelimit import ratelimit_ctx
from gateway.registry import registry_ctx
from schemas.settings import Settings
from store.engine import create_database


async def _database_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    db = create_database(settings.resolved_database_url(), pool_size=settings.database_pool_size)
    app[DATABASE] = db
    app[READINESS]["database"] = db.ping
    yield
    await db.dispose()


def create_app(settings: Settings) -> web.Application:
    app = web.Application(
        middlewares=[request_context, body_limit],
        client_max_size=settings.max_body_bytes,
    )
    app[SETTINGS] = settings
    app[METRICS] = Metrics()
    app[REQUEST_IDS] = RequestIds()
    app[READINESS] = {}
    app.cleanup_ctx.append(_database_ctx)
    app.cleanup_ctx.append(audit_ctx)
    app.cleanup_ctx.append(ratelimit_ctx)
    app.cleanup_ctx.append(registry_ctx)
    app.add_routes(health.routes)
    openapi.setup(app)
    oauth.setup(app)
    admin.setup(app)
    app.add_routes(access_check.routes)
    audit_http.setup_routes(app, require)
    rest.setup(app)
    records.setup(app)
    record_review.setup(app)
    soap.setup(app)
    return app
