"""Policy epoch: a token that changes with every grant or client change.

Revision ID: 0400
Revises: 0300
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0400"
down_revision: str | Sequence[str] | None = "0300"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        sa.text(
            "INSERT INTO instance_state (key, value, updated_at) "
            "VALUES ('policy.epoch', '0', CURRENT_TIMESTAMP)"
        )
    )


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM instance_state WHERE key = 'policy.epoch'"))
