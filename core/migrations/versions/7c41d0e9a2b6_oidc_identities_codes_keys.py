"""oidc: identities at outside providers, codes and signing keys of the network's provider

Revision ID: 7c41d0e9a2b6
Revises: e7a4c1b9d2f3
Create Date: 2026-12-04 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "7c41d0e9a2b6"
down_revision: str | Sequence[str] | None = "e7a4c1b9d2f3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "core_oidc_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("issuer", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("last_used_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["core_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("issuer", "subject", name="uq_core_oidc_identity_issuer_subject"),
    )
    op.create_index(op.f("ix_core_oidc_identity_user_id"), "core_oidc_identity", ["user_id"], unique=False)
    op.create_table(
        "core_oidc_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("client_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("redirect_uri", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("nonce", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("code_challenge", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("code_challenge_method", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("auth_time", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["core_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index(op.f("ix_core_oidc_code_created_at"), "core_oidc_code", ["created_at"], unique=False)
    op.create_index(op.f("ix_core_oidc_code_user_id"), "core_oidc_code", ["user_id"], unique=False)
    op.create_table(
        "core_oidc_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kid", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("algorithm", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("private_jwk", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("retired_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kid"),
    )


def downgrade() -> None:
    op.drop_table("core_oidc_key")
    op.drop_index(op.f("ix_core_oidc_code_user_id"), table_name="core_oidc_code")
    op.drop_index(op.f("ix_core_oidc_code_created_at"), table_name="core_oidc_code")
    op.drop_table("core_oidc_code")
    op.drop_index(op.f("ix_core_oidc_identity_user_id"), table_name="core_oidc_identity")
    op.drop_table("core_oidc_identity")
