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

from store.audit import CHECKPOINTS, EVENTS, SEGMENTS
from store.base import utcnow
from store.engine import Database


@dataclass(frozen=True)
class PruneSummary:
    segments: int
    events: int


async def prune(db: Database, cutoff: dt.datetime) -> PruneSummary:
    """Remove the events of every segment sealed before `cutoff` with no event after it."""
    sealed_before = exists().where(
        and_(
            CHECKPOINTS.c.segment == SEGMENTS.c.id,
            CHECKPOINTS.c.final.is_(True),
            CHECKPOINTS.c.signed_at < cutoff,
        )
    )
    newer = exists().where(and_(EVENTS.c.segment == SEGMENTS.c.id, EVENTS.c.recorded_at >= cutoff))
    async with db.engine.begin() as conn:
        numbers = list(
            (
                await conn.scalars(
                    select(SEGMENTS.c.id).where(
                        SEGMENTS.c.pruned_at.is_(None), sealed_before, ~newer
                    )
                )
            ).all()
        )
        if not numbers:
            return PruneSummary(0, 0)
        count = await conn.scalar(
            select(func.count()).select_from(EVENTS).where(EVENTS.c.segment.in_(numbers))
        )
        await conn.execute(delete(EVENTS).where(EVENTS.c.segment.in_(numbers)))
        await conn.execute(
            update(SEGMENTS).where(SEGMENTS.c.id.in_(numbers)).values(pruned_at=utcnow())
        )
    return PruneSummary(len(numbers), int(count or 0))
