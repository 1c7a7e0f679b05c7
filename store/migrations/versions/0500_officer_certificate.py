"""Digitized records may carry the certificate of the officer who signed them.

Revision ID: 0500
Revises: 0400
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0500"
down_revision: str | Sequence[str] | None = "0400"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("digitized_records") as table:
        table.add_column(sa.Column("signer_certificate", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("digitized_records") as table:
        table.drop_column("signer_certificate")
