"""The signing key ring on SQLite and PostgreSQL: keys sealed at rest, one created on first start,
rotation keeping the retired key published only until its tokens have expired."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from joserfc.errors import JoseError
from sqlalchemy import update

from gateway.oauth.keys import KeyRing
from store.engine import Database
from store.revocations import is_revoked, purge_expired, remember_assertion, revoke_token
from store.secretbox import SecretBox, SecretBoxError
from store.signing_keys import SigningKey, list_keys

GRACE = dt.timedelta(seconds=340)


def _ring(db: Database, master: bytes = b"m" * 32) -> KeyRing:
    return KeyRing(db, SecretBox(master), retire_grace=GRACE)


async def test_first_load_creates_one_key_sealed_at_rest(database: Database) -> None:
    ring = _ring(database)
    await ring.load()
    await _ring(database).load()  # a second process creates none
    async with database.sessions() as session:
        rows = await list_keys(session)
    assert len(rows) == 1
    private_d = ring.current().as_dict(private=True)["d"]
    assert private_d.encode() not in rows[0].private_jwk
    assert "d" not in json.loads(rows[0].public_jwk)
    assert ring.jwks() == {"keys": [json.loads(rows[0].public_jwk)]}


async def test_another_master_key_cannot_open_the_signing_key(database: Database) -> None:
    await _ring(database).load()
    with pytest.raises(SecretBoxError):
        await _ring(database, master=b"x" * 32).load()


async def test_rotation_publishes_the_old_key_until_its_tokens_expire(database: Database) -> None:
    ring = _ring(database)
    await ring.load()
    old_kid = ring.current().kid
    old_token = ring.sign({"sub": "c"})
    new = await ring.rotate(by="test")
    assert ring.current().kid == new.kid != old_kid
    assert {k["kid"] for k in ring.jwks()["keys"]} == {old_kid, new.kid}
    assert ring.verify(old_token).claims == {"sub": "c"}
    retired = next(i for i in ring.infos() if i.kid == old_kid)
    assert retired.retired_at is not None and retired.publish_until == retired.retired_at + GRACE

    async with database.sessions.begin() as session:
        await session.execute(
            update(SigningKey)
            .where(SigningKey.kid == old_kid)
            .values(publish_until=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
    await ring.load()
    assert [k["kid"] for k in ring.jwks()["keys"]] == [new.kid]
    with pytest.raises(JoseError):
        ring.verify(old_token)


async def test_expired_revocations_and_assertions_are_purged(database: Database) -> None:
    now = dt.datetime.now(dt.UTC)
    async with database.sessions.begin() as session:
        await revoke_token(session, "old", client_id="c", expires_at=now - dt.timedelta(seconds=1))
        await revoke_token(session, "live", client_id="c", expires_at=now + dt.timedelta(minutes=5))
        assert await remember_assertion(session, "c", "a1", now - dt.timedelta(seconds=1))
        assert await remember_assertion(session, "c", "a2", now + dt.timedelta(minutes=5))
        assert not await remember_assertion(session, "c", "a2", now + dt.timedelta(minutes=5))
    async with database.sessions.begin() as session:
        await purge_expired(session)
    async with database.sessions() as session:
        assert not await is_revoked(session, "old") and await is_revoked(session, "live")
        assert await remember_assertion(session, "c", "a1", now + dt.timedelta(minutes=1))
        assert not await remember_assertion(session, "c", "a2", now + dt.timedelta(minutes=1))
