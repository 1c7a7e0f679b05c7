"""The OAuth resources of one gateway process (key ring, liveness, throttle) and their wiring."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiohttp import web
from authlib.common.security import is_secure_transport
from redis.asyncio import Redis

from gateway.keys import DATABASE, READINESS, SETTINGS
from gateway.oauth.keys import KeyRing
from gateway.oauth.liveness import Liveness
from gateway.oauth.throttle import FailureThrottle
from schemas.settings import Settings
from store.engine import Database
from store.revocations import purge_expired
from store.secretbox import SecretBox, load_master_key

log = logging.getLogger("popgate.oauth")

# How often each process re-reads the key ring (to see rotations made elsewhere).
KEY_REFRESH_SECONDS = 30
PURGE_EVERY_ROUNDS = 20
# Largest clock skew tolerated on access tokens (issue 4: 10 s at most).
TOKEN_LEEWAY_SECONDS = 10


class InsecureIssuer(ValueError):
    """The public URL is plain http on a non-loopback address."""


@dataclass(frozen=True)
class OAuthConfig:
    issuer: str
    audience: str
    token_ttl: int
    assertion_max_lifetime: int

    @property
    def token_endpoint(self) -> str:
        return self.issuer + "/oauth/token"

    @classmethod
    def from_settings(cls, settings: Settings) -> OAuthConfig:
        issuer = settings.resolved_public_url()
        if not is_secure_transport(issuer):
            # OAuth 2.0 needs TLS (RFC 6749 1.6); plain http only on loopback (RFC 8252 7.3).
            raise InsecureIssuer(
                f"POPGATE_PUBLIC_URL {issuer} is plain http on a non-loopback address: "
                "serve behind TLS and set it to the https:// address"
            )
        return cls(
            issuer=issuer,
            audience=settings.token_audience or issuer,
            token_ttl=settings.access_token_ttl,
            assertion_max_lifetime=settings.client_assertion_max_lifetime,
        )


@dataclass
class OAuth:
    config: OAuthConfig
    db: Database
    box: SecretBox
    keys: KeyRing
    liveness: Liveness
    throttle: FailureThrottle


OAUTH = web.AppKey("oauth", OAuth)


def retire_grace(config: OAuthConfig) -> dt.timedelta:
    """How long a retired key stays published: its last tokens, plus time for peers to reload."""
    return dt.timedelta(seconds=config.token_ttl + KEY_REFRESH_SECONDS + TOKEN_LEEWAY_SECONDS)


def build_oauth(settings: Settings, db: Database, redis: Redis | None) -> OAuth:
    config = OAuthConfig.from_settings(settings)
    box = SecretBox(
        load_master_key(
            settings.secret_key.get_secret_value() if settings.secret_key else None,
            settings.data_dir,
        )
    )
    return OAuth(
        config=config,
        db=db,
        box=box,
        keys=KeyRing(db, box, retire_grace=retire_grace(config)),
        liveness=Liveness(db, redis),
        throttle=FailureThrottle(settings.token_failure_limit),
    )


async def _maintain(oauth: OAuth) -> None:
    """Reload the key ring and re-seed Redis often; now and then drop expired revocations."""
    rounds = 0
    while True:
        await asyncio.sleep(KEY_REFRESH_SECONDS)
        rounds += 1
        try:
            await oauth.keys.load()
            await oauth.liveness.seed()
            if rounds % PURGE_EVERY_ROUNDS == 0:
                async with oauth.db.sessions.begin() as session:
                    await purge_expired(session)
        except Exception:
            log.exception("OAuth maintenance failed; retrying next round")


async def _load_keys(oauth: OAuth) -> None:
    """Load the ring; on a database not migrated yet the ring stays empty until the token
    endpoint or the refresher loads it."""
    try:
        await oauth.keys.load()
    except Exception as exc:
        log.warning("signing keys not loaded yet", extra={"error": type(exc).__name__})


async def oauth_ctx(app: web.Application) -> AsyncIterator[None]:
    """Needs the database resource (registered before it): build the OAuth state, refresh keys."""
    settings = app[SETTINGS]
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    oauth = build_oauth(settings, app[DATABASE], redis)
    await _load_keys(oauth)
    await oauth.liveness.seed()
    app[OAUTH] = oauth
    if redis is not None:
        app[READINESS]["redis"] = oauth.liveness.ping
    refresher = asyncio.create_task(_maintain(oauth))
    yield
    refresher.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await refresher
    if redis is not None:
        await redis.aclose()
