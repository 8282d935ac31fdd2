"""sample tables: things

Revision ID: 4b1e7c2a9d30
Revises:
Create Date: 2026-11-23 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "4b1e7c2a9d30"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("sample",)
depends_on: str | Sequence[str] | None = ("c382d6bf531d",)  # core


def upgrade() -> None:
    op.create_table(
        "sample_thing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("search_text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sample_thing", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sample_thing_name"), ["name"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sample_thing", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sample_thing_name"))
    op.drop_table("sample_thing")
