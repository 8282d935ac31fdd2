"""setting changes: site settings edited from the web, with their history

Revision ID: 9e5c2a7d4f18
Revises: 4b8e2f6a1c93
Create Date: 2026-12-05 12:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "9e5c2a7d4f18"
down_revision: str | Sequence[str] | None = "4b8e2f6a1c93"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "core_setting_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("before", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("after", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_core_setting_change_user_id"), "core_setting_change", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_core_setting_change_user_id"), table_name="core_setting_change")
    op.drop_table("core_setting_change")
