"""`popgate audit`: verify the tamper-evident log, export signed archives, prune past retention."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from gateway.audit.export import ArchiveError, export_archive, verify_archive
from gateway.audit.retention import prune as prune_segments
from gateway.audit.service import checkpoint_signer, open_audit_log, secret_box
from gateway.audit.signing import Signer
from gateway.audit.verify import VerifyReport, verify_database
from gateway.cli.common import load_settings, run
from schemas.settings import Settings
from store.engine import create_database


class Timestamp(click.ParamType):
    """An ISO 8601 date or date-time; without a zone, UTC."""

    name = "timestamp"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value
        try:
            parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 date or time, e.g. 2026-11-26T08:00Z", param)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


TIMESTAMP = Timestamp()


def _print_report(report: VerifyReport, what: str) -> None:
    click.echo(
        f"{what}: {report.segments} segment(s), {report.events} event(s), "
        f"{report.checkpoints} checkpoint(s) checked"
    )
    if report.unsealed:
        open_ = ", ".join(map(str, report.unsealed))
        click.echo(f"segments still open or left unsealed by a stopped writer: {open_}")
    first = report.first()
    if first is None:
        click.echo("the audit log is intact")
        return
    click.echo(f"TAMPERED: {first.message}", err=True)
    others = len(report.findings) - 1
    if others:
        click.echo(f"... and {others} more finding(s)", err=True)
    raise SystemExit(1)


@click.group()
def audit() -> None:
    """The tamper-evident audit log."""


async def _verify(settings: Settings, since: dt.datetime | None) -> VerifyReport:
    db = create_database(settings.resolved_database_url())
    try:
        log = await open_audit_log(settings, db)
        return await verify_database(
            db,
            log.signer,
            since=since,
            retention=dt.timedelta(days=settings.audit_retention_days),
        )
    finally:
        await db.dispose()


async def _signer(settings: Settings) -> Signer:
    db = create_database(settings.resolved_database_url())
    try:
        return await checkpoint_signer(settings, db, secret_box(settings))
    finally:
        await db.dispose()


@audit.command()
@click.option("--since", type=TIMESTAMP, help="Check only events recorded from this time on.")
@click.option(
    "--archive",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Check an archive written by `audit export` instead of the database.",
)
def verify(since: dt.datetime | None, archive: Path | None) -> None:
    """Re-compute the chains and checkpoints; exit 1 naming the first tampered event."""
    settings = load_settings()
    if archive is not None:
        try:
            report = verify_archive(archive, run(_signer(settings)))
        except ArchiveError as exc:
            click.echo(f"TAMPERED: {exc}", err=True)
            raise SystemExit(1) from None
        _print_report(report, str(archive))
        return
    _print_report(run(_verify(settings, since)), "audit log")


@audit.command()
@click.option("--from", "start", type=TIMESTAMP, required=True, help="First time included.")
@click.option("--to", "end", type=TIMESTAMP, required=True, help="First time excluded.")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def export(start: dt.datetime, end: dt.datetime, file: Path) -> None:
    """Write the events recorded in [FROM, TO) to FILE: a signed ZIP of JSON lines."""
    if end <= start:
        raise click.BadParameter("--to must be after --from")
    settings = load_settings()

    async def go() -> None:
        db = create_database(settings.resolved_database_url())
        try:
            log = await open_audit_log(settings, db)
            summary = await export_archive(db, log.signer, start, end, file)
        finally:
            await db.dispose()
        click.echo(
            f"wrote {file}: {summary.events} event(s) from {summary.segments} segment(s), "
            f"{summary.checkpoints} checkpoint(s)"
        )

    run(go())


@audit.command()
def prune() -> None:
    """Drop the events of sealed segments older than POPGATE_AUDIT_RETENTION_DAYS."""
    settings = load_settings()
    cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=settings.audit_retention_days)

    async def go() -> None:
        db = create_database(settings.resolved_database_url())
        try:
            summary = await prune_segments(db, cutoff)
        finally:
            await db.dispose()
        click.echo(
            f"pruned {summary.events} event(s) of {summary.segments} segment(s) "
            f"sealed before {cutoff:%Y-%m-%d}"
        )

    run(go())
