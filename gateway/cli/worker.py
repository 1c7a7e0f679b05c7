"""`popgate worker`: a Celery worker that digitizes pages queued on the broker."""

from __future__ import annotations

import os

import click

from gateway.cli.common import load_settings, run
from gateway.server import StartupError, prepare_database
from store.secretbox import SecretBox, load_master_key


@click.command()
@click.option("--concurrency", type=click.IntRange(min=1), help="Worker processes [one per core].")
@click.option("--queues", help="Comma-separated queues to consume [celery].")
def worker(concurrency: int | None, queues: str | None) -> None:
    """Run a Celery worker (broker: POPGATE_CELERY_BROKER_URL)."""
    from ocr.recognize import limit_threads  # OpenCV, Tesseract, Celery load only here
    from ocr.tasks import create_celery

    settings = load_settings()
    try:
        run(prepare_database(settings))
    except StartupError as exc:
        raise click.ClickException(str(exc)) from None
    limit_threads()  # inherited by the prefork children: one Tesseract thread each
    secret = settings.secret_key.get_secret_value() if settings.secret_key else None
    box = SecretBox(load_master_key(secret, settings.data_dir))
    app = create_celery(settings.celery_broker_url, settings.resolved_database_url(), box)
    processes = concurrency or settings.ocr_workers or os.cpu_count() or 1
    argv = ["worker", "--loglevel=WARNING", f"--concurrency={processes}", "--without-gossip"]
    app.worker_main([*argv, f"--queues={queues}"] if queues else argv)
