"""lokaler: the hourly limits on public requests are counted by core's rate limit

Revision ID: c7e3b9f5d024
Revises: 5b8e1d2c7a90
Create Date: 2026-12-06 03:45:00

The limits per visitor and per e-mail address on the public booking request
form now count in core's ``core_rate_limit_hit`` (``core.api.within_limit``),
so ``lokaler_request_attempt`` goes. Its rows were an hour of keyed hashes,
nothing worth carrying over; a downgrade makes the table again, empty.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "c7e3b9f5d024"
down_revision: str | Sequence[str] | None = "5b8e1d2c7a90"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_lokaler_request_attempt_at", table_name="lokaler_request_attempt")
    op.drop_index("ix_lokaler_request_attempt_email", table_name="lokaler_request_attempt")
    op.drop_index("ix_lokaler_request_attempt_client", table_name="lokaler_request_attempt")
    op.drop_table("lokaler_request_attempt")


def downgrade() -> None:
    op.create_table(
        "lokaler_request_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_lokaler_request_attempt_client", "lokaler_request_attempt", ["client"])
    op.create_index("ix_lokaler_request_attempt_email", "lokaler_request_attempt", ["email"])
    op.create_index("ix_lokaler_request_attempt_at", "lokaler_request_attempt", ["at"])
