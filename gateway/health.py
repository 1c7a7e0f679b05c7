"""Operational endpoints: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import asyncio

from aiohttp import web

from gateway.keys import METRICS, READINESS

routes = web.RouteTableDef()


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    """The process is up and its event loop answers."""
    return web.json_response({"status": "ok"})


@routes.get("/readyz")
async def readyz(request: web.Request) -> web.Response:
    """Every dependency (database, later the registry) answers; 503 names those that do not."""
    checks = request.app[READINESS]
    names = list(checks)
    results = await asyncio.gather(*(checks[n]() for n in names), return_exceptions=True)
    report = {
        name: "ok" if not isinstance(result, BaseException) else f"failed: {result}"
        for name, result in zip(names, results, strict=True)
    }
    ready = all(v == "ok" for v in report.values())
    return web.json_response(
        {"status": "ready" if ready else "not ready", "checks": report},
        status=200 if ready else 503,
    )


@routes.get("/metrics")
async def metrics(request: web.Request) -> web.Response:
    return request.app[METRICS].render()
