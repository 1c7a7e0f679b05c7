"""`popgate digitize`: digitize scans in batch, with a progress bar and a summary."""

from __future__ import annotations

import dataclasses
import os
import shutil
import sys
import time
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

import click
from tqdm import tqdm

from gateway.cli.common import load_settings, run
from gateway.crosscheck import registry_verifier
from gateway.server import StartupError, prepare_database
from ocr.extract import DOC_TYPES
from ocr.records import CodeLayout
from ocr.signing import CertificateRecordSigner, HmacRecordSigner, SignerCertificateError
from schemas.settings import Settings
from store.engine import create_database
from store.secretbox import SecretBox, load_master_key

if TYPE_CHECKING:
    from ocr.runner import BatchOptions, BatchSummary


class _Bar:
    """tqdm on stderr: pages done, pages per minute, time left."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.bar = tqdm(
            total=0,
            unit="page",
            file=sys.stderr,
            bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} pages [{elapsed}<{remaining}{postfix}]",
            disable=None,  # no bar when stderr is not a terminal
            # A terminal that reports no size (a bare pty) would get an empty bar.
            ncols=shutil.get_terminal_size().columns or 100,
        )

    def grow(self, pages: int) -> None:
        if pages:
            self.bar.total = (self.bar.total or 0) + pages
            self.bar.refresh()

    def advance(self, pages: int) -> None:
        self.bar.update(pages)
        minutes = (time.monotonic() - self.started) / 60
        if minutes > 0:
            self.bar.set_postfix_str(f"{self.bar.n / minutes:.0f} pages/min", refresh=False)

    def close(self) -> None:
        self.bar.close()


def _summary(summary: BatchSummary) -> str:
    fields = summary.fields_accepted + summary.fields_review
    share = f" ({summary.fields_accepted / fields:.1%})" if fields else ""
    reasons = f" ({_reasons(summary)})" if summary.review_reasons else ""
    lines = [
        f"batch {summary.batch_id}",
        f"documents: {summary.documents} ({summary.recorded} new, "
        f"{summary.already_recorded} already recorded)",
        f"pages: {summary.pages} ({summary.pages_recognised} recognised in this run)",
        f"fields accepted: {summary.fields_accepted}{share}",
        f"fields sent to review: {summary.fields_review}{reasons}",
        f"failures: {len(summary.failures)}",
    ]
    lines += [f"  {source}: {reason}" for source, reason in summary.failures]
    return "\n".join(lines)


def officer_signer(settings: Settings, path: Path | None) -> CertificateRecordSigner | None:
    """The officer's personal signer from a PKCS#12 file, or None for the installation key."""
    path = path or settings.ocr_officer_cert
    if path is None:
        return None
    password = settings.ocr_officer_cert_password
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"cannot read the officer's key file: {exc.strerror}") from None
    try:
        return CertificateRecordSigner(data, password.get_secret_value() if password else None)
    except SignerCertificateError as exc:
        raise click.ClickException(str(exc)) from None


def _reasons(summary: BatchSummary) -> str:
    ranked = sorted(summary.review_reasons.items(), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{kind}: {count}" for kind, count in ranked)


async def _digitize(
    settings: Settings,
    paths: list[Path],
    options: BatchOptions,
    crosscheck: bool,
    personal: CertificateRecordSigner | None,
) -> BatchSummary:
    from ocr.runner import run_batch

    await prepare_database(settings)
    db = create_database(settings.resolved_database_url())
    box = SecretBox(
        load_master_key(
            settings.secret_key.get_secret_value() if settings.secret_key else None,
            settings.data_dir,
        )
    )
    bar = _Bar()
    try:
        checker = registry_verifier(settings, db, options.officer) if crosscheck else nullcontext()
        async with checker as verify:
            if crosscheck and verify is None:
                click.echo(
                    "note: POPGATE_REGISTRY_URL is not set, so fields are not cross-checked "
                    "with the population registry (as with --no-crosscheck)",
                    err=True,
                )
            return await run_batch(
                db,
                paths,
                dataclasses.replace(options, verify=verify),
                signer=personal or HmacRecordSigner(box),
                box=box,
                progress=bar,
            )
    finally:
        bar.close()
        await db.dispose()


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes [one per core].")
@click.option("--doc-type", type=click.Choice(DOC_TYPES), help="Declare the documents' type.")
@click.option(
    "--export",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write one JSON object per document to this JSONL file.",
)
@click.option("--resume", is_flag=True, help="Continue the last unfinished batch.")
@click.option("--no-crosscheck", is_flag=True, help="Skip the population-registry cross-check.")
@click.option("--officer", help="Digitizing officer recorded on each record [POPGATE_OCR_OFFICER].")
@click.option(
    "--officer-cert",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The officer's PKCS#12 key file: sign with it [POPGATE_OCR_OFFICER_CERT; password in "
    "POPGATE_OCR_OFFICER_CERT_PASSWORD].",
)
def digitize(
    paths: tuple[Path, ...],
    workers: int | None,
    doc_type: str | None,
    export: Path | None,
    resume: bool,
    no_crosscheck: bool,
    officer: str | None,
    officer_cert: Path | None,
) -> None:
    """Digitize scans (PNG, JPEG, TIFF, PDF; folders recursively) into signed records."""
    from ocr.runner import BatchError, BatchOptions  # OpenCV and Tesseract load only here

    settings = load_settings()
    if not paths and not resume:
        raise click.UsageError("give at least one PATH (or --resume)")
    personal = officer_signer(settings, officer_cert)
    officer = officer or settings.ocr_officer or (personal.common_name if personal else None)
    options = BatchOptions(
        workers=workers or settings.ocr_workers or os.cpu_count() or 1,
        doc_type=doc_type,
        export=export,
        resume=resume,
        verify=None,
        officer=officer or settings.ocr_officer or os.environ.get("USER", "unknown"),
        confidence_bar=settings.ocr_confidence_bar,
        layout=CodeLayout(settings.ocr_record_code_layout, settings.ocr_result_type_codes),
        known_issuers=tuple(settings.ocr_known_issuers),
        known_places=tuple(settings.ocr_known_places),
    )
    try:
        summary = run(_digitize(settings, list(paths), options, not no_crosscheck, personal))
    except (StartupError, BatchError) as exc:
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt:
        raise click.ClickException(
            "interrupted: pages recognised so far are kept; run again with --resume"
        ) from None
    click.echo(_summary(summary))
