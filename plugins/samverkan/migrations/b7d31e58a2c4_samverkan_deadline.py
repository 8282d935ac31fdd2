"""samverkan: an assignment's last day to report interest

Revision ID: b7d31e58a2c4
Revises: 4653140c5583
Create Date: 2026-12-05 23:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b7d31e58a2c4"
down_revision: str | Sequence[str] | None = "4653140c5583"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("samverkan_assignment") as batch:
        batch.add_column(sa.Column("deadline", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("samverkan_assignment") as batch:
        batch.drop_column("deadline")
