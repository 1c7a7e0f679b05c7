"""The digitization cross-check asks the real registry (a sandbox process) and audits each use."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from connectors.sandbox.credentials import load_or_create
from connectors.sandbox.seed import residents
from gateway.audit.service import open_audit_log
from gateway.audit.verify import verify_database
from gateway.crosscheck import CLIENT_ID, registry_verifier
from schemas.settings import Settings
from store import migrate
from store.engine import create_database
from tests.support.server import free_port, running


async def test_verifier_confirms_refuses_and_audits(tmp_path: Path) -> None:
    sandbox_dir = tmp_path / "sandbox"
    env = {"POPGATE_SANDBOX_RESIDENTS": "20", "POPGATE_SANDBOX_SEED": "7"}
    with running(["sandbox", "serve"], sandbox_dir, env=env) as sandbox:
        creds = load_or_create(sandbox_dir)
        settings = Settings(
            data_dir=tmp_path,
            registry_url=sandbox.url,
            registry_app_name=creds.app_name,
            registry_access_key=creds.access_key,
            registry_secret_key=creds.secret_key,
        )
        db = create_database(settings.resolved_database_url())
        await migrate.upgrade(db)
        person = next(residents(1, 7))
        dob = dt.date.fromisoformat(person["date_of_birth"])
        async with registry_verifier(settings, db, "officer-1") as verify:
            assert verify is not None
            assert await verify(person["personal_id"], person["full_name"], dob) is True
            assert await verify(person["personal_id"], "Tên Khác Hẳn", dob) is False
            assert await verify("001099999999", person["full_name"], dt.date(1999, 1, 1)) is False
        log = await open_audit_log(settings, db)
        report = await verify_database(db, log.signer)
        assert report.ok, report
        async with db.engine.connect() as conn:
            from sqlalchemy import text

            rows = (
                await conn.execute(
                    text("SELECT client_id, actor, outcome FROM audit_events ORDER BY seq")
                )
            ).all()
        await db.dispose()
    assert [tuple(r) for r in rows] == [
        (CLIENT_ID, "officer-1", "ok"),
        (CLIENT_ID, "officer-1", "ok"),
        (CLIENT_ID, "officer-1", "not_found"),
    ]


async def test_no_registry_url_means_no_verifier(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, port=free_port())
    db = create_database(settings.resolved_database_url())
    async with registry_verifier(settings, db, "officer-1") as verify:
        assert verify is None
    await db.dispose()
