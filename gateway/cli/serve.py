"""`popgate serve`: start the gateway."""

from __future__ import annotations

import click

from gateway.cli.common import load_settings, run
from gateway.server import StartupError
from gateway.server import serve as serve_forever


@click.command()
@click.option("--host", help="Address to listen on [POPGATE_HOST, default 127.0.0.1].")
@click.option("--port", type=int, help="Port to listen on [POPGATE_PORT, default 8080].")
def serve(host: str | None, port: int | None) -> None:
    """Serve the gateway (migrations are applied first)."""
    settings = load_settings(host=host, port=port)
    try:
        run(serve_forever(settings))
    except StartupError as exc:
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt:
        pass
