"""nyhetsbrev: the associations a subscriber follows

Revision ID: e2a9c7d41f58
Revises: c4e8b1f26a93
Create Date: 2026-12-05 23:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "e2a9c7d41f58"
down_revision: str | Sequence[str] | None = "c4e8b1f26a93"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("nyhetsbrev_subscriber") as batch:
        batch.add_column(
            sa.Column("associations", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("nyhetsbrev_subscriber") as batch:
        batch.drop_column("associations")
