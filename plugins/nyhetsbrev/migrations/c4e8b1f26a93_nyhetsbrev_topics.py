"""nyhetsbrev: topics, digest frequency and last digest time per subscriber

Revision ID: c4e8b1f26a93
Revises: a7d3e91c5b20
Create Date: 2026-12-05 18:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "c4e8b1f26a93"
down_revision: str | Sequence[str] | None = "a7d3e91c5b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("nyhetsbrev_subscriber") as batch:
        batch.add_column(
            sa.Column(
                "topics", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False, server_default="nyhetsbrev"
            )
        )
        batch.add_column(
            sa.Column(
                "frequency", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default="veckovis"
            )
        )
        batch.add_column(sa.Column("last_digest_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("nyhetsbrev_subscriber") as batch:
        batch.drop_column("last_digest_at")
        batch.drop_column("frequency")
        batch.drop_column("topics")
