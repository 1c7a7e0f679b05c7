"""The `popgate` command: one group, each subcommand in a module of its own."""

from __future__ import annotations

import click

from gateway.cli import audit, clients, db, digitize, grants, keys, sandbox, serve, worker


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="popgate")
def main() -> None:
    """popgate: population-data sharing and records-digitization gateway."""


main.add_command(serve.serve)
main.add_command(db.db)
main.add_command(sandbox.sandbox)
main.add_command(clients.clients)
main.add_command(grants.grants)
main.add_command(keys.keys)
main.add_command(audit.audit)
main.add_command(digitize.digitize)
main.add_command(worker.worker)
