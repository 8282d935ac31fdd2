"""nyhetsbrev tables: subscribers and issues

Revision ID: a7d3e91c5b20
Revises:
Create Date: 2026-12-05 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "a7d3e91c5b20"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("nyhetsbrev",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "nyhetsbrev_issue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("editorial", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("period_start", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("period_end", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("items", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_nyhetsbrev_issue_state"), "nyhetsbrev_issue", ["state"], unique=False)
    op.create_index(op.f("ix_nyhetsbrev_issue_sent_at"), "nyhetsbrev_issue", ["sent_at"], unique=False)
    op.create_table(
        "nyhetsbrev_subscriber",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("consent_text", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("confirmed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_nyhetsbrev_subscriber_email"), "nyhetsbrev_subscriber", ["email"], unique=True)
    op.create_index(op.f("ix_nyhetsbrev_subscriber_token"), "nyhetsbrev_subscriber", ["token"], unique=True)
    op.create_index(
        op.f("ix_nyhetsbrev_subscriber_confirmed_at"), "nyhetsbrev_subscriber", ["confirmed_at"], unique=False
    )


def downgrade() -> None:
    op.drop_table("nyhetsbrev_subscriber")
    op.drop_table("nyhetsbrev_issue")
