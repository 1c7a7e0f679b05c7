"""A person's decisions on digitized fields: confirmed or corrected, by whom, when.

Revision ID: 0600
Revises: 0500
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import store.base

revision: str = "0600"
down_revision: str | Sequence[str] | None = "0500"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "record_reviews",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "document_key",
            sa.String(64),
            sa.ForeignKey("digitized_records.document_key"),
            nullable=False,
            index=True,
        ),
        sa.Column("field", sa.String(40), nullable=False),
        sa.Column("decision", sa.String(10), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("client_id", sa.String(100), nullable=False),
        sa.Column("actor", sa.String(200), nullable=True),
        sa.Column("created_at", store.base.UtcDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("record_reviews")
