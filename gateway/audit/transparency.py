"""The citizen's access report: every access to one resident's data, lawful delays withheld.

Decree 13/2023 and the Personal Data Protection Law 91/2025/QH15 give a data subject the right
to know who processed their data (DOMAIN.md). Estonia's Data Tracker answers the same question with
`findUsage` (offset, limit), which the SOAP face exposes through `find_usage`. Entries whose
`hidden_until` (a lawful disclosure delay set on an investigation grant) is still ahead are left
out, and the report says that some are withheld, without saying how many.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import exists, func, or_, select

from gateway.audit.chain import decrypt_resident, resident_lookup_hash
from schemas.audit import EventType, Outcome
from schemas.personal_id import PersonalId
from store.audit import EVENTS
from store.engine import Database
from store.secretbox import SecretBox, SecretBoxError

# What counts as an access to a resident's data: data returned, data compared, a record read.
ACCESS_TYPES = (EventType.DATA_ACCESS, EventType.DATA_VERIFY, EventType.RECORD_ACCESS)


@dataclass(frozen=True)
class UsageEntry:
    when: dt.datetime
    kind: str
    client_id: str | None
    actor: str | None
    purpose: str | None
    reason: str | None
    legal_basis: str | None
    fields: tuple[str, ...]


@dataclass(frozen=True)
class UsageReport:
    offset: int
    limit: int
    total: int
    withheld: bool
    entries: list[UsageEntry] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "offset": self.offset,
            "limit": self.limit,
            "total": self.total,
            "withheld": self.withheld,
            "notice": (
                "Some accesses are withheld under a lawful disclosure delay and will be shown "
                "when it ends."
                if self.withheld
                else None
            ),
            "entries": [
                {
                    "when": e.when.astimezone(dt.UTC).isoformat(),
                    "kind": e.kind,
                    "client_id": e.client_id,
                    "actor": e.actor,
                    "purpose": e.purpose,
                    "reason": e.reason,
                    "legal_basis": e.legal_basis,
                    "fields": list(e.fields),
                }
                for e in self.entries
            ],
        }


async def find_usage(
    db: Database,
    box: SecretBox,
    personal_id: PersonalId,
    offset: int = 0,
    limit: int = 100,
    *,
    now: dt.datetime | None = None,
) -> UsageReport:
    """Accesses to `personal_id`'s data, newest first, from `offset`, at most `limit`."""
    now = now or dt.datetime.now(dt.UTC)
    mine = (
        (EVENTS.c.resident_hash == resident_lookup_hash(box, personal_id.digits))
        & EVENTS.c.type.in_([t.value for t in ACCESS_TYPES])
        & (EVENTS.c.outcome == Outcome.OK.value)
    )
    visible = mine & or_(EVENTS.c.hidden_until.is_(None), EVENTS.c.hidden_until <= now)
    async with db.engine.connect() as conn:
        total = int(await conn.scalar(select(func.count()).where(visible)) or 0)
        withheld = bool(
            await conn.scalar(select(exists().where(mine & (EVENTS.c.hidden_until > now))))
        )
        rows = (
            await conn.execute(
                select(EVENTS)
                .where(visible)
                .order_by(EVENTS.c.occurred_at.desc(), EVENTS.c.id.desc())
                .offset(offset)
                .limit(limit)
            )
        ).all()
    entries = [
        UsageEntry(
            when=r.occurred_at,
            kind=r.type,
            client_id=r.client_id,
            actor=r.actor,
            purpose=r.purpose,
            reason=r.reason,
            legal_basis=r.legal_basis,
            fields=tuple(json.loads(r.fields_returned)),
        )
        for r in rows
        if _is_theirs(box, r.resident_enc, personal_id)
    ]
    return UsageReport(offset, limit, total, withheld, entries)


def _is_theirs(box: SecretBox, blob: bytes | None, personal_id: PersonalId) -> bool:
    """The ciphertext confirms what the keyed hash found (and a row moved from elsewhere fails)."""
    if blob is None:
        return False
    try:
        return decrypt_resident(box, blob) == personal_id.digits
    except SecretBoxError:
        return False
