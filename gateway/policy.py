"""Access-grant policy: (client, requested fields, purpose) -> the fields allowed, or a denial.

Deny by default: no live grant for the purpose, no data. Grants name their fields one by one, so a
sensitive field (Decree 13/2023/NĐ-CP Art. 2(4), `schemas.fields.SENSITIVE_FIELDS`) is released only
by a grant that names it. Grants are read on every evaluation: a revocation counts on the next
request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from schemas.fields import FIELD_NAMES, check_field_names
from schemas.grants import Decision, Denial, DenialReason, Grant
from store.engine import Database
from store.grants import client_and_grants


def decide(
    grants: Iterable[Grant],
    requested: Iterable[str],
    purpose: str,
    at: dt.datetime,
) -> Decision | Denial:
    """Pure evaluation over a client's grants. An empty request asks for every granted field."""
    wanted = check_field_names(tuple(requested))
    for_purpose = [g for g in grants if purpose in g.purposes]
    live = [g for g in for_purpose if g.is_live(at)]
    if not live:
        return _why_not(for_purpose, purpose, at)

    best: Decision | None = None
    for grant in live:
        # Only the fields the grant names: never a sensitive field by implication.
        releasable = set(grant.fields)
        asked = wanted or tuple(grant.fields)
        allowed = tuple(f for f in FIELD_NAMES if f in asked and f in releasable)
        withheld = tuple(f for f in asked if f not in releasable)
        candidate = Decision(grant=grant, allowed=allowed, withheld=withheld)
        if best is None or len(candidate.allowed) > len(best.allowed):
            best = candidate
    assert best is not None
    if not best.allowed:
        return Denial(
            reason=DenialReason.FIELDS_NOT_GRANTED,
            detail=f"No grant for purpose {purpose} covers any of the requested fields.",
            withheld=best.withheld,
        )
    return best


def _why_not(for_purpose: list[Grant], purpose: str, at: dt.datetime) -> Denial:
    if not for_purpose:
        return Denial(
            reason=DenialReason.PURPOSE_NOT_GRANTED,
            detail=f"No grant allows the purpose {purpose}.",
        )
    if any(g.revoked_at is not None and g.revoked_at <= at for g in for_purpose):
        reason, detail = DenialReason.GRANT_REVOKED, "The grant for this purpose was revoked."
    elif any(at < g.valid_from for g in for_purpose):
        reason, detail = DenialReason.GRANT_NOT_YET_VALID, "The grant is not valid yet."
    else:
        reason, detail = DenialReason.GRANT_EXPIRED, "The grant for this purpose has expired."
    return Denial(reason=reason, detail=detail)


async def evaluate(
    session: AsyncSession,
    client_id: str,
    requested: Iterable[str],
    purpose: str,
    *,
    at: dt.datetime | None = None,
) -> Decision | Denial:
    """Evaluate against the database: the client must exist and be enabled, then `decide`.
    Raises `UnknownField` for a name outside the catalogue, before anything else."""
    requested = check_field_names(tuple(requested))
    enabled, grants = await client_and_grants(session, client_id)
    return _verdict(enabled, grants, requested, purpose, at or dt.datetime.now(dt.UTC))


def _verdict(
    enabled: bool | None,
    grants: list[Grant],
    requested: Iterable[str],
    purpose: str,
    at: dt.datetime,
) -> Decision | Denial:
    if enabled is None:
        return Denial(reason=DenialReason.CLIENT_UNKNOWN, detail="Unknown client.")
    if not enabled:
        return Denial(reason=DenialReason.CLIENT_DISABLED, detail="The client is disabled.")
    if not grants:
        return Denial(reason=DenialReason.NO_GRANT, detail="The client holds no grant.")
    return decide(grants, requested, purpose, at)


class PolicyCache:
    """Each client's enabled flag and grants, as of a policy epoch.

    The epoch changes in the transaction of every grant or client change and is read with each
    request's liveness check, so an entry is used only while nothing has changed: a revocation
    still counts on the next request, in every process. Without an epoch (Redis liveness) the
    database is read every time.
    """

    MAX_CLIENTS = 10_000

    def __init__(self) -> None:
        self._entries: dict[str, tuple[str, bool | None, list[Grant]]] = {}

    async def evaluate(
        self,
        db: Database,
        client_id: str,
        requested: Iterable[str],
        purpose: str,
        epoch: str | None,
    ) -> Decision | Denial:
        requested = check_field_names(tuple(requested))
        entry = self._entries.get(client_id)
        if epoch is None or entry is None or entry[0] != epoch:
            async with db.sessions() as session:
                enabled, grants = await client_and_grants(session, client_id)
            if epoch is not None:
                if len(self._entries) >= self.MAX_CLIENTS:
                    self._entries.clear()
                self._entries[client_id] = (epoch, enabled, grants)
        else:
            _, enabled, grants = entry
        return _verdict(enabled, grants, requested, purpose, dt.datetime.now(dt.UTC))
