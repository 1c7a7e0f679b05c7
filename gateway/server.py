"""Running the gateway: preflight checks, migrations, the listening socket and clean shutdown."""

from __future__ import annotations

import asyncio
import errno
import signal
import sys
from collections.abc import Callable, Sequence

from aiohttp import web

from gateway import registry
from gateway.app import create_app
from gateway.bootstrap import first_start
from gateway.oauth.context import InsecureIssuer, OAuthConfig
from schemas.settings import Settings
from store import migrate
from store.engine import DatabaseUnavailable, create_database, describe_error


class StartupError(RuntimeError):
    """The server cannot start; the message tells the operator what to fix."""


async def prepare_database(settings: Settings) -> None:
    """Reach the database and apply migrations, or raise `StartupError` with a clear reason."""
    db = create_database(settings.resolved_database_url())
    try:
        try:
            await db.ping(timeout=10)
        except DatabaseUnavailable as exc:
            raise StartupError(f"cannot reach the database: {exc}") from None
        try:
            await migrate.upgrade(db)
        except Exception as exc:
            raise StartupError(f"cannot migrate the database: {describe_error(exc)}") from None
    finally:
        await db.dispose()


def banner(settings: Settings, extra: Sequence[str] = ()) -> str:
    base = settings.resolved_public_url()
    return "\n".join(
        [
            f"popgate is serving on {base}",
            f"  web UI:    {base}/ui  (administrators)",
            f"  API docs:  {base}/docs  (OpenAPI: {base}/openapi.json)",
            f"  health:    {base}/healthz",
            f"  readiness: {base}/readyz",
            f"  metrics:   {base}/metrics",
            f"  SOAP WSDL: {base}/soap/population?wsdl",
            *extra,
            f"  token:     {base}/oauth/token",
            f"  metadata:  {base}/.well-known/oauth-authorization-server",
        ]
    )


async def serve(
    settings: Settings,
    *,
    announce: Callable[[str], None] = print,
) -> None:
    """Serve until SIGINT or SIGTERM."""
    try:
        OAuthConfig.from_settings(settings)
    except InsecureIssuer as exc:
        raise StartupError(str(exc)) from None
    await prepare_database(settings)
    created = await first_start(settings) if settings.bootstrap else None
    app = create_app(settings)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    try:
        await runner.setup()
    except registry.RegistryMisconfigured as exc:
        raise StartupError(str(exc)) from None
    try:
        site = web.TCPSite(runner, settings.host, settings.port, reuse_address=True)
        try:
            await site.start()
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise StartupError(
                    f"port {settings.port} on {settings.host} is already in use; "
                    "choose another with --port or POPGATE_PORT"
                ) from None
            raise StartupError(f"cannot listen on {settings.host}:{settings.port}: {exc}") from None
        announce(banner(settings, registry.banner_lines(app)))
        if created is not None:
            # stdout only, once: never into the JSON logs (stderr).
            announce(created.banner(settings.resolved_public_url(), registry.sample_id(app)))
        sys.stdout.flush()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
    finally:
        await runner.cleanup()
