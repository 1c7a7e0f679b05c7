"""`popgate db`: database administration."""

from __future__ import annotations

import click

from gateway.cli.common import load_settings, run
from gateway.server import StartupError, prepare_database


@click.group()
def db() -> None:
    """Database administration."""


@db.command()
def upgrade() -> None:
    """Apply every pending migration."""
    settings = load_settings()
    try:
        run(prepare_database(settings))
    except StartupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo("database is up to date")
