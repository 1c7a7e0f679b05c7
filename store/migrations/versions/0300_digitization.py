"""Digitization: batches, page results, digitized records.

Revision ID: 0300
Revises: 0200
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.base

revision: str = "0300"
down_revision: str | Sequence[str] | None = "0200"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "digitization_batches",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("officer", sa.String(200), nullable=False),
        sa.Column("paths", sa.JSON(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("started_at", store.base.UtcDateTime(), nullable=False),
        sa.Column("finished_at", store.base.UtcDateTime(), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digitization_batches")),
    )
    op.create_table(
        "digitized_pages",
        sa.Column("page_hash", sa.String(64), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("page_index", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.String(36), nullable=True),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_at", store.base.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["digitization_batches.id"],
            name=op.f("fk_digitized_pages_batch_id_digitization_batches"),
        ),
        sa.PrimaryKeyConstraint("page_hash", name=op.f("pk_digitized_pages")),
    )
    op.create_table(
        "digitized_records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("document_key", sa.String(64), nullable=False),
        sa.Column("record_code", sa.String(120), nullable=True),
        sa.Column("holder_hash", sa.String(64), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("page_hashes", sa.JSON(), nullable=False),
        sa.Column("page_count", sa.Integer(), nullable=False),
        sa.Column("doc_type", sa.String(40), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("fields_accepted", sa.Integer(), nullable=False),
        sa.Column("fields_review", sa.Integer(), nullable=False),
        sa.Column("full_text", sa.Text(), nullable=False),
        sa.Column("engine", sa.JSON(), nullable=False),
        sa.Column("officer", sa.String(200), nullable=False),
        sa.Column("signature_alg", sa.String(20), nullable=False),
        sa.Column("signature_key_id", sa.String(100), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("batch_id", sa.String(36), nullable=True),
        sa.Column("created_at", store.base.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["digitization_batches.id"],
            name=op.f("fk_digitized_records_batch_id_digitization_batches"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digitized_records")),
        sa.UniqueConstraint("document_key", name=op.f("uq_digitized_records_document_key")),
    )
    op.create_index(op.f("ix_digitized_records_record_code"), "digitized_records", ["record_code"])
    op.create_index(op.f("ix_digitized_records_holder_hash"), "digitized_records", ["holder_hash"])


def downgrade() -> None:
    op.drop_index(op.f("ix_digitized_records_holder_hash"), table_name="digitized_records")
    op.drop_index(op.f("ix_digitized_records_record_code"), table_name="digitized_records")
    op.drop_table("digitized_records")
    op.drop_table("digitized_pages")
    op.drop_table("digitization_batches")
