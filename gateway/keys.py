"""Typed keys of the resources that live on the aiohttp application."""

from collections.abc import Awaitable, Callable

from aiohttp import web

from gateway.metrics import Metrics
from schemas.settings import Settings
from store.engine import Database

SETTINGS = web.AppKey("settings", Settings)
DATABASE = web.AppKey("database", Database)
METRICS = web.AppKey("metrics", Metrics)
# Named async checks that /readyz runs; each raises when its dependency is not ready.
READINESS = web.AppKey("readiness", dict[str, Callable[[], Awaitable[None]]])
