"""Retention: drop the events of sealed segments past the retention period, keeping their seal.

Only whole segments are pruned, and only once their final checkpoint is older than the cutoff and no
event in them is newer; the segment row stays, marked `pruned_at`, with its signed checkpoints, so
`verify` can tell an expired segment from a deleted one. Export the period first
(`popgate audit export`): the archive is what remains of those events.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, delete, exists, func, select, update

from store.audit import AuditCheckpoint, AuditEventRow, AuditSegment
from store.base import utcnow
from store.engine import Database

_EVENTS = AuditEventRow.__table__
_CHECKPOINTS = AuditCheckpoint.__table__
_SEGMENTS = AuditSegment.__table__


@dataclass(frozen=True)
class PruneSummary:
    segments: int
    events: int


async def prune(db: Database, cutoff: dt.datetime) -> PruneSummary:
    """Remove the events of every segment sealed before `cutoff` with no event after it."""
    sealed_before = exists().where(
        and_(
            _CHECKPOINTS.c.segment == _SEGMENTS.c.id,
            _CHECKPOINTS.c.final.is_(True),
            _CHECKPOINTS.c.signed_at < cutoff,
        )
    )
    newer = exists().where(
        and_(_EVENTS.c.segment == _SEGMENTS.c.id, _EVENTS.c.recorded_at >= cutoff)
    )
    async with db.engine.begin() as conn:
        numbers = list(
            (
                await conn.scalars(
                    select(_SEGMENTS.c.id).where(
                        _SEGMENTS.c.pruned_at.is_(None), sealed_before, ~newer
                    )
                )
            ).all()
        )
        if not numbers:
            return PruneSummary(0, 0)
        count = await conn.scalar(
            select(func.count()).select_from(_EVENTS).where(_EVENTS.c.segment.in_(numbers))
        )
        await conn.execute(delete(_EVENTS).where(_EVENTS.c.segment.in_(numbers)))
        await conn.execute(
            update(_SEGMENTS).where(_SEGMENTS.c.id.in_(numbers)).values(pruned_at=utcnow())
        )
    return PruneSummary(len(numbers), int(count or 0))
