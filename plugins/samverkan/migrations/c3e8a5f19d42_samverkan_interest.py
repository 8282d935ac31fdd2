"""samverkan: associations' interests in public open assignments

Revision ID: c3e8a5f19d42
Revises: b7d31e58a2c4
Create Date: 2026-12-06 03:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "c3e8a5f19d42"
down_revision: str | Sequence[str] | None = "b7d31e58a2c4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "samverkan_interest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("association_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("association_slug", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("contact_name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("contact_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("contact_phone", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("message", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("erased_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["assignment_id"], ["samverkan_assignment.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("samverkan_interest", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_samverkan_interest_assignment_id"), ["assignment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_samverkan_interest_contact_email"), ["contact_email"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("samverkan_interest", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_samverkan_interest_contact_email"))
        batch_op.drop_index(batch_op.f("ix_samverkan_interest_assignment_id"))
    op.drop_table("samverkan_interest")
