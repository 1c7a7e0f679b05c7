"""The liveness statement sent as plain SQL answers exactly as the SQLAlchemy query does."""

from __future__ import annotations

import datetime as dt

from gateway.admin import registry
from gateway.oauth.liveness import Liveness, _liveness_query
from schemas.grants import ClientSpec
from store.engine import Database
from store.instance import POLICY_EPOCH, get_state
from store.secretbox import SecretBox


async def _core(db: Database, client_id: str, jti: str) -> tuple[object, ...]:
    async with db.engine.connect() as conn:
        enabled, revoked, epoch = (await conn.execute(_liveness_query(client_id, jti))).one()
    return bool(enabled) if enabled is not None else None, bool(revoked), epoch


async def test_plain_sql_and_core_agree_on_every_state(database: Database) -> None:
    liveness = Liveness(database, None)
    info, _ = await registry.register_client(
        database, SecretBox(b"k" * 32), ClientSpec(name="Sở LĐTBXH"), by="test"
    )
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
    async with database.sessions() as session:
        epoch = await get_state(session, POLICY_EPOCH)
    assert await liveness.check("jti-1", info.client_id) == (None, epoch)
    assert await _core(database, info.client_id, "jti-1") == (True, False, epoch)
    await liveness.revoke("jti-1", info.client_id, expires)
    assert (await liveness.check("jti-1", info.client_id))[0] == "revoked"
    assert (await _core(database, info.client_id, "jti-1"))[1] is True
    await registry.disable(database, info.client_id, by="test")
    reason, moved = await liveness.check("jti-2", info.client_id)
    assert reason == "client_disabled" and moved != epoch
    assert (await liveness.check("jti-2", "no-such-client"))[0] == "client_disabled"
