"""The control plane: administrators register clients, issue and revoke grants, rotate keys."""

from __future__ import annotations

from aiohttp import web

from gateway.admin.api import routes


def setup(app: web.Application) -> None:
    app.add_routes(routes)
