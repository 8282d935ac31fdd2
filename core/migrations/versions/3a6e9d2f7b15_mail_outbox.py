"""mail outbox: e-mails queued in the sender's transaction until they are sent

Revision ID: 3a6e9d2f7b15
Revises: 8b3f0c1d2e47
Create Date: 2026-12-04 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "3a6e9d2f7b15"
down_revision: str | Sequence[str] | None = "8b3f0c1d2e47"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "core_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("to_address", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("from_address", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("reply_to", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("origin", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("claimed_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("failed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_core_outbox_next_attempt_at"), "core_outbox", ["next_attempt_at"], unique=False)
    op.create_index(op.f("ix_core_outbox_sent_at"), "core_outbox", ["sent_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_core_outbox_sent_at"), table_name="core_outbox")
    op.drop_index(op.f("ix_core_outbox_next_attempt_at"), table_name="core_outbox")
    op.drop_table("core_outbox")
