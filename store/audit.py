"""Tables of the tamper-evident audit log: writer segments, chained events, signed checkpoints."""

from __future__ import annotations

import datetime as dt
from typing import cast

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from store.base import Base, UtcDateTime

# 64-bit on PostgreSQL; SQLite auto-increments only an INTEGER primary key (which is 64-bit there).
EVENT_ID = BigInteger().with_variant(Integer(), "sqlite")


class AuditSegment(Base):
    """One writer's chain. Numbers are dense (max + 1), so a deleted segment leaves a hole."""

    __tablename__ = "audit_segments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    writer: Mapped[str] = mapped_column(String(200))
    opened_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    # Set by `popgate audit prune` when the segment's events were removed after retention.
    pruned_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class AuditEventRow(Base):
    """One audited happening, linked to its predecessor in the segment by `prev_hash`."""

    __tablename__ = "audit_events"
    __table_args__ = (
        UniqueConstraint("segment", "seq", name="uq_audit_events_segment_seq"),
        Index("ix_audit_events_resident_hash", "resident_hash"),
        Index("ix_audit_events_occurred_at", "occurred_at"),
        Index("ix_audit_events_client_id", "client_id"),
    )

    id: Mapped[int] = mapped_column(EVENT_ID, primary_key=True, autoincrement=True)
    segment: Mapped[int] = mapped_column(ForeignKey("audit_segments.id"))
    seq: Mapped[int] = mapped_column(Integer)
    occurred_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    type: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(20))
    client_id: Mapped[str | None] = mapped_column(String(200))
    actor: Mapped[str | None] = mapped_column(String(200))
    purpose: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)
    case_ref: Mapped[str | None] = mapped_column(String(200))
    legal_basis: Mapped[str | None] = mapped_column(Text)
    grant_id: Mapped[str | None] = mapped_column(String(100))
    resident_hash: Mapped[str | None] = mapped_column(String(64))
    resident_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    fields_returned: Mapped[str] = mapped_column(Text)
    fields_withheld: Mapped[str] = mapped_column(Text)
    detail: Mapped[str | None] = mapped_column(Text)
    correlation_id: Mapped[str | None] = mapped_column(String(100))
    request_hash: Mapped[str | None] = mapped_column(String(128))
    hidden_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpoint(Base):
    """A JWS over (segment, seq, head hash): the signer vouches for the chain up to `seq`."""

    __tablename__ = "audit_checkpoints"
    # Not unique: a final checkpoint may seal the same position an ordinary one already covers.
    __table_args__ = (Index("ix_audit_checkpoints_segment_seq", "segment", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    segment: Mapped[int] = mapped_column(ForeignKey("audit_segments.id"))
    # 0, 1, 2... within the segment (0: signed when the segment opens), so a gap shows a deletion.
    number: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    head_hash: Mapped[str] = mapped_column(String(64))
    final: Mapped[bool] = mapped_column(Boolean)
    signed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    jws: Mapped[str] = mapped_column(Text)


# The tables themselves, for Core statements (bulk inserts, keyset scans).
EVENTS = cast(Table, AuditEventRow.__table__)
CHECKPOINTS = cast(Table, AuditCheckpoint.__table__)
SEGMENTS = cast(Table, AuditSegment.__table__)
