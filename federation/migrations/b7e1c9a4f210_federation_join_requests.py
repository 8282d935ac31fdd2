"""federation: join requests from the web, nonces, peers added by joining

Revision ID: b7e1c9a4f210
Revises: d44645ae75d7
Create Date: 2026-12-05 23:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "b7e1c9a4f210"
down_revision: str | Sequence[str] | None = "d44645ae75d7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("federation_peer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("joined", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "federation_join_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("outgoing", sa.Boolean(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("answered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("federation_join_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_federation_join_request_url"), ["url"], unique=False)
    op.create_table(
        "federation_nonce",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("value"),
    )
    with op.batch_alter_table("federation_nonce", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_federation_nonce_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_table("federation_nonce")
    op.drop_table("federation_join_request")
    with op.batch_alter_table("federation_peer", schema=None) as batch_op:
        batch_op.drop_column("joined")
