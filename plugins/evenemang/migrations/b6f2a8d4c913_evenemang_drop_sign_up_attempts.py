"""evenemang: the hourly sign-up limit is counted by core's rate limit

Revision ID: b6f2a8d4c913
Revises: 9d4e2b7c1a55
Create Date: 2026-12-06 03:45:00

The limit on sign-ups by e-mail now counts in core's ``core_rate_limit_hit``
(``core.api.within_limit``), so ``evenemang_sign_up_attempt`` goes. Its rows
were an hour of keyed hashes, nothing worth carrying over; a downgrade
makes the table again, empty.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "b6f2a8d4c913"
down_revision: str | Sequence[str] | None = "9d4e2b7c1a55"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_evenemang_sign_up_attempt_at", table_name="evenemang_sign_up_attempt")
    op.drop_index("ix_evenemang_sign_up_attempt_client", table_name="evenemang_sign_up_attempt")
    op.drop_table("evenemang_sign_up_attempt")


def downgrade() -> None:
    op.create_table(
        "evenemang_sign_up_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_evenemang_sign_up_attempt_client", "evenemang_sign_up_attempt", ["client"])
    op.create_index("ix_evenemang_sign_up_attempt_at", "evenemang_sign_up_attempt", ["at"])
