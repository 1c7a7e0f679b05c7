"""The gateway's registry connector: the configured upstream, or the sandbox started in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiohttp import web

from connectors.base import PopulationRegistry
from connectors.factory import create_registry
from connectors.resilience import ResiliencePolicy
from connectors.sandbox.app import SandboxConfig, create_sandbox_app
from connectors.sandbox.credentials import load_or_create
from connectors.sandbox.faults import Faults
from connectors.sandbox.seed import residents
from connectors.signing import Credentials
from gateway.keys import READINESS, SETTINGS
from schemas.settings import Settings

REGISTRY = web.AppKey("registry", PopulationRegistry)


@dataclass(frozen=True)
class RegistryEndpoint:
    url: str
    in_process_sandbox: bool


REGISTRY_ENDPOINT = web.AppKey("registry_endpoint", RegistryEndpoint)


class RegistryMisconfigured(RuntimeError):
    """The registry settings are incomplete; the message names what to set."""


def policy_from(settings: Settings) -> ResiliencePolicy:
    return ResiliencePolicy(
        connect_timeout=settings.registry_connect_timeout_seconds,
        total_timeout=settings.registry_timeout_seconds,
        retries=settings.registry_retries,
        breaker_failures=settings.registry_breaker_failures,
        breaker_reset=settings.registry_breaker_reset_seconds,
        max_concurrency=settings.registry_max_concurrency,
    )


def credentials_from(settings: Settings) -> Credentials:
    """The configured AppName/AccessKey/SecretKey; for the sandbox, generated ones if unset."""
    secret = settings.registry_secret_key
    if settings.registry_app_name and settings.registry_access_key and secret:
        return Credentials(
            settings.registry_app_name, settings.registry_access_key, secret.get_secret_value()
        )
    if settings.registry_url:
        raise RegistryMisconfigured(
            "POPGATE_REGISTRY_URL is set: also set POPGATE_REGISTRY_APP_NAME, "
            "POPGATE_REGISTRY_ACCESS_KEY and POPGATE_REGISTRY_SECRET_KEY"
        )
    return load_or_create(settings.data_dir)


def sandbox_config(settings: Settings, credentials: Credentials) -> SandboxConfig:
    return SandboxConfig(
        database_url=settings.resolved_sandbox_database_url(),
        credentials=credentials,
        faults=Faults(
            latency_ms=settings.sandbox_latency_ms,
            error_rate=settings.sandbox_error_rate,
            timeout_rate=settings.sandbox_timeout_rate,
            garble_rate=settings.sandbox_garble_rate,
        ),
        seed_if_empty=settings.sandbox_residents,
        seed=settings.sandbox_seed,
    )


async def registry_ctx(app: web.Application) -> AsyncIterator[None]:
    """One connector (one connection pool) per application; the sandbox when no URL is set."""
    settings = app[SETTINGS]
    credentials = credentials_from(settings)
    runner: web.AppRunner | None = None
    url = settings.registry_url
    if url is None:
        runner = web.AppRunner(
            create_sandbox_app(sandbox_config(settings, credentials)), access_log=None
        )
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        url = f"http://127.0.0.1:{port}"
    registry = create_registry(settings.registry_protocol, url, credentials, policy_from(settings))
    app[REGISTRY] = registry
    app[REGISTRY_ENDPOINT] = RegistryEndpoint(url, runner is not None)
    app[READINESS]["registry"] = registry.ping
    try:
        yield
    finally:
        await registry.close()
        if runner is not None:
            await runner.cleanup()


def banner_lines(app: web.Application) -> list[str]:
    endpoint = app.get(REGISTRY_ENDPOINT)
    if endpoint is None:
        return []
    protocol = app[SETTINGS].registry_protocol
    if not endpoint.in_process_sandbox:
        return [f"  registry:  {endpoint.url} ({protocol})"]
    return [
        f"  registry:  sandbox in-process at {endpoint.url} ({protocol})",
        f"  sandbox WSDL: {endpoint.url}/soap?wsdl",
    ]


def sample_id(app: web.Application) -> str | None:
    """The first synthetic resident of the in-process sandbox (seeding is deterministic)."""
    endpoint = app.get(REGISTRY_ENDPOINT)
    settings = app[SETTINGS]
    if endpoint is None or not endpoint.in_process_sandbox or settings.sandbox_residents < 1:
        return None
    first = next(residents(1, settings.sandbox_seed))
    return str(first["personal_id"])
