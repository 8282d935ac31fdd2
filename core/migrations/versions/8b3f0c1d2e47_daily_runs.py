"""daily runs: one row per daily job and day, so a job runs once a day

Revision ID: 8b3f0c1d2e47
Revises: 5d1e7a2b9c40
Create Date: 2026-12-01 23:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "8b3f0c1d2e47"
down_revision: str | Sequence[str] | None = "5d1e7a2b9c40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "core_daily_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("ok", sa.Boolean(), nullable=True),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("job", "day", name="uq_core_daily_run_job_day"),
    )
    op.create_index(op.f("ix_core_daily_run_day"), "core_daily_run", ["day"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_core_daily_run_day"), table_name="core_daily_run")
    op.drop_table("core_daily_run")
