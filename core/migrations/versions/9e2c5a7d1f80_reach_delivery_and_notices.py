"""reach (issue 20): HTML and extra headers on queued mail, delivery per address, notice settings

Revision ID: 9e2c5a7d1f80
Revises: 9e5c2a7d4f18
Create Date: 2026-12-05 12:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "9e2c5a7d1f80"
down_revision: str | Sequence[str] | None = "9e5c2a7d4f18"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("core_outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("html_body", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("headers", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""))
    op.create_table(
        "core_mail_address",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("bounces", sa.Integer(), nullable=False),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("last_failed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("paused_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_core_mail_address_address"), "core_mail_address", ["address"], unique=True)
    op.create_table(
        "core_notice_recipient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("muted", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_core_notice_recipient_address"), "core_notice_recipient", ["address"], unique=True)
    op.create_index(op.f("ix_core_notice_recipient_token"), "core_notice_recipient", ["token"], unique=True)


def downgrade() -> None:
    op.drop_index(op.f("ix_core_notice_recipient_token"), table_name="core_notice_recipient")
    op.drop_index(op.f("ix_core_notice_recipient_address"), table_name="core_notice_recipient")
    op.drop_table("core_notice_recipient")
    op.drop_index(op.f("ix_core_mail_address_address"), table_name="core_mail_address")
    op.drop_table("core_mail_address")
    with op.batch_alter_table("core_outbox", schema=None) as batch_op:
        batch_op.drop_column("headers")
        batch_op.drop_column("html_body")
