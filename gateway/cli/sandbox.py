"""`popgate sandbox`: run and seed the stand-in national population registry."""

from __future__ import annotations

import asyncio
import signal
import sys
import time

import click
from aiohttp import web
from tqdm import tqdm

from connectors.sandbox.app import create_sandbox_app
from connectors.sandbox.credentials import FILE_NAME
from connectors.sandbox.seed import MAX_RESIDENTS, seed_store
from connectors.sandbox.store import ResidentStore
from gateway.cli.common import load_settings, run
from gateway.registry import credentials_from, sandbox_config
from schemas.settings import Settings


@click.group()
def sandbox() -> None:
    """The sandbox national registry (REST and SOAP, synthetic residents)."""


async def _serve(settings: Settings, host: str, port: int) -> None:
    credentials = credentials_from(settings.model_copy(update={"registry_url": None}))
    app = create_sandbox_app(sandbox_config(settings, credentials))
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port, reuse_address=True)
        try:
            await site.start()
        except OSError as exc:
            raise click.ClickException(f"cannot listen on {host}:{port}: {exc}") from None
        base = f"http://{host}:{port}"
        where = (
            "POPGATE_REGISTRY_SECRET_KEY"
            if settings.registry_secret_key
            else str(settings.data_dir / FILE_NAME)
        )
        click.echo(
            "\n".join(
                [
                    f"sandbox registry serving on {base}",
                    f"  REST:    {base}/v1/residents:lookup, :verify, :verify-batch",
                    f"  OpenAPI: {base}/openapi.json",
                    f"  SOAP:    {base}/soap   WSDL: {base}/soap?wsdl",
                    f"  AppName: {credentials.app_name}   AccessKey: {credentials.access_key}",
                    f"  SecretKey: in {where}",
                ]
            )
        )
        sys.stdout.flush()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
    finally:
        await runner.cleanup()


@sandbox.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=int, help="Port to listen on [POPGATE_SANDBOX_PORT, default 8081].")
def serve(host: str, port: int | None) -> None:
    """Serve the sandbox; seeds POPGATE_SANDBOX_RESIDENTS residents when its store is empty."""
    settings = load_settings(sandbox_port=port)
    try:
        run(_serve(settings, host, settings.sandbox_port))
    except KeyboardInterrupt:
        pass


async def _seed(settings: Settings, residents: int, seed: int) -> tuple[int, float]:
    store = ResidentStore.open(settings.resolved_sandbox_database_url())
    started = time.perf_counter()
    try:
        with tqdm(total=residents, unit="resident", unit_scale=True, file=sys.stderr) as bar:
            stored = await seed_store(
                store, residents, seed, progress=lambda n: bar.update(n - bar.n)
            )
    finally:
        await store.close()
    return stored, time.perf_counter() - started


@sandbox.command()
@click.option(
    "--residents",
    type=click.IntRange(0, MAX_RESIDENTS),
    default=10_000,
    show_default=True,
    help="How many synthetic residents to generate.",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed.")
def seed(residents: int, seed: int) -> None:
    """Replace the sandbox's residents with N synthetic ones (deterministic for a seed)."""
    settings = load_settings()
    stored, elapsed = run(_seed(settings, residents, seed))
    rate = stored / elapsed if elapsed else 0.0
    click.echo(f"seeded {stored:,} residents in {elapsed:.1f} s ({rate:,.0f}/s)")
