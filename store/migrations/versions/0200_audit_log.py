"""Audit log: writer segments, hash-chained events and signed checkpoints.

Revision ID: 0200
Revises: 0100
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.base

revision: str = "0200"
down_revision: str | Sequence[str] | None = "0100"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVENT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "audit_segments",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("writer", sa.String(200), nullable=False),
        sa.Column("opened_at", store.base.UtcDateTime(), nullable=False),
        sa.Column("pruned_at", store.base.UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_segments")),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", EVENT_ID, autoincrement=True, nullable=False),
        sa.Column("segment", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("occurred_at", store.base.UtcDateTime(), nullable=False),
        sa.Column("recorded_at", store.base.UtcDateTime(), nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("client_id", sa.String(200), nullable=True),
        sa.Column("actor", sa.String(200), nullable=True),
        sa.Column("purpose", sa.String(100), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("case_ref", sa.String(200), nullable=True),
        sa.Column("legal_basis", sa.Text(), nullable=True),
        sa.Column("grant_id", sa.String(100), nullable=True),
        sa.Column("resident_hash", sa.String(64), nullable=True),
        sa.Column("resident_enc", sa.LargeBinary(), nullable=True),
        sa.Column("fields_returned", sa.Text(), nullable=False),
        sa.Column("fields_withheld", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("correlation_id", sa.String(100), nullable=True),
        sa.Column("request_hash", sa.String(128), nullable=True),
        sa.Column("hidden_until", store.base.UtcDateTime(), nullable=True),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["segment"],
            ["audit_segments.id"],
            name=op.f("fk_audit_events_segment_audit_segments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
        sa.UniqueConstraint("segment", "seq", name="uq_audit_events_segment_seq"),
    )
    op.create_index("ix_audit_events_resident_hash", "audit_events", ["resident_hash"])
    op.create_index("ix_audit_events_occurred_at", "audit_events", ["occurred_at"])
    op.create_index("ix_audit_events_client_id", "audit_events", ["client_id"])
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("segment", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.String(64), nullable=False),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.Column("signed_at", store.base.UtcDateTime(), nullable=False),
        sa.Column("jws", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["segment"],
            ["audit_segments.id"],
            name=op.f("fk_audit_checkpoints_segment_audit_segments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoints")),
    )
    op.create_index("ix_audit_checkpoints_segment_seq", "audit_checkpoints", ["segment", "seq"])


def downgrade() -> None:
    op.drop_index("ix_audit_checkpoints_segment_seq", "audit_checkpoints")
    op.drop_table("audit_checkpoints")
    op.drop_index("ix_audit_events_client_id", "audit_events")
    op.drop_index("ix_audit_events_occurred_at", "audit_events")
    op.drop_index("ix_audit_events_resident_hash", "audit_events")
    op.drop_table("audit_events")
    op.drop_table("audit_segments")
