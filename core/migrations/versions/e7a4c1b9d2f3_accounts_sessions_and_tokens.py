"""accounts (issue 13): server-side sessions and e-mailed account links

Revision ID: e7a4c1b9d2f3
Revises: 3a6e9d2f7b15
Create Date: 2026-12-04 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "e7a4c1b9d2f3"
down_revision: str | Sequence[str] | None = "3a6e9d2f7b15"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "core_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("browser", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("network", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["core_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_core_session_key_hash"), "core_session", ["key_hash"], unique=True)
    op.create_index(op.f("ix_core_session_user_id"), "core_session", ["user_id"], unique=False)
    op.create_index(op.f("ix_core_session_expires_at"), "core_session", ["expires_at"], unique=False)
    op.create_table(
        "core_account_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("used_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["core_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_core_account_token_token_hash"), "core_account_token", ["token_hash"], unique=True)
    op.create_index(op.f("ix_core_account_token_user_id"), "core_account_token", ["user_id"], unique=False)
    op.create_index(op.f("ix_core_account_token_expires_at"), "core_account_token", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_core_account_token_expires_at"), table_name="core_account_token")
    op.drop_index(op.f("ix_core_account_token_user_id"), table_name="core_account_token")
    op.drop_index(op.f("ix_core_account_token_token_hash"), table_name="core_account_token")
    op.drop_table("core_account_token")
    op.drop_index(op.f("ix_core_session_expires_at"), table_name="core_session")
    op.drop_index(op.f("ix_core_session_user_id"), table_name="core_session")
    op.drop_index(op.f("ix_core_session_key_hash"), table_name="core_session")
    op.drop_table("core_session")
