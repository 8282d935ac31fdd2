"""outbox: attachments of a queued e-mail (a booking's .ics)

Revision ID: 4b8e2f6a1c93
Revises: 7c41d0e9a2b6
Create Date: 2026-12-05 07:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "4b8e2f6a1c93"
down_revision: str | Sequence[str] | None = "7c41d0e9a2b6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("core_outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("attachments", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("core_outbox", schema=None) as batch_op:
        batch_op.drop_column("attachments")
