"""lokaler: the number of people of a booking, and request attempts for the hourly limit

Revision ID: 5b8e1d2c7a90
Revises: cef59dc5f261
Create Date: 2026-12-05 23:30:00

``lokaler_booking.attendees`` is how many people come (checked against the
room's capacity; before, a public request kept it only in the title).
``lokaler_request_attempt`` holds, for an hour, keyed hashes of the visitor's
address and of the e-mail address each public booking request came with, so
the hourly limits are the same for every worker.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "5b8e1d2c7a90"
down_revision: str | Sequence[str] | None = "cef59dc5f261"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("lokaler_booking") as batch:
        batch.add_column(sa.Column("attendees", sa.Integer(), nullable=True))
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


def downgrade() -> None:
    op.drop_index("ix_lokaler_request_attempt_at", table_name="lokaler_request_attempt")
    op.drop_index("ix_lokaler_request_attempt_email", table_name="lokaler_request_attempt")
    op.drop_index("ix_lokaler_request_attempt_client", table_name="lokaler_request_attempt")
    op.drop_table("lokaler_request_attempt")
    with op.batch_alter_table("lokaler_booking") as batch:
        batch.drop_column("attendees")
