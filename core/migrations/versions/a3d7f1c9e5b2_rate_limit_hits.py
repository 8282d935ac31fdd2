"""rate limits: one table of counted attempts for every limit (core.rate_limits)

Revision ID: a3d7f1c9e5b2
Revises: 9f2c4e6a8d10
Create Date: 2026-12-06 03:40:00

``core_rate_limit_hit`` holds, until the end of its window, a keyed hash of
each key (the visitor's address, an e-mail typed) an attempt was counted by,
so that every worker shares one count. It replaces the plugins' own tables
(evenemang's sign-up attempts, lokaler's request attempts), which their own
migrations drop.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "a3d7f1c9e5b2"
down_revision: str | Sequence[str] | None = "9f2c4e6a8d10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "core_rate_limit_hit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_core_rate_limit_hit_scope_key_at", "core_rate_limit_hit", ["scope", "key", "at"])
    op.create_index(op.f("ix_core_rate_limit_hit_expires_at"), "core_rate_limit_hit", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_core_rate_limit_hit_expires_at"), table_name="core_rate_limit_hit")
    op.drop_index("ix_core_rate_limit_hit_scope_key_at", table_name="core_rate_limit_hit")
    op.drop_table("core_rate_limit_hit")
