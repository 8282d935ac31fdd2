"""evenemang: sign-up attempts counted in the database, one programme item per submission form

Revision ID: 9d4e2b7c1a55
Revises: 7c3d9e1f2a40
Create Date: 2026-12-05 12:15:00

``evenemang_sign_up_attempt`` holds, for an hour, a keyed hash of the
address each sign-up by e-mail came from, so the hourly limit is the same
for every worker. ``evenemang_programme_item.submission_key`` is the random
key of the form an item was sent from; a partial unique index lets a form
sent twice (a double-click) make one item.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "9d4e2b7c1a55"
down_revision: str | Sequence[str] | None = "7c3d9e1f2a40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHERE = "submission_key <> ''"


def upgrade() -> None:
    op.create_table(
        "evenemang_sign_up_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_evenemang_sign_up_attempt_client", "evenemang_sign_up_attempt", ["client"])
    op.create_index("ix_evenemang_sign_up_attempt_at", "evenemang_sign_up_attempt", ["at"])
    with op.batch_alter_table("evenemang_programme_item") as batch:
        batch.add_column(
            sa.Column("submission_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default="")
        )
    op.create_index(
        "uq_evenemang_programme_item_submission_key",
        "evenemang_programme_item",
        ["submission_key"],
        unique=True,
        sqlite_where=sa.text(WHERE),
        postgresql_where=sa.text(WHERE),
    )


def downgrade() -> None:
    op.drop_index("uq_evenemang_programme_item_submission_key", table_name="evenemang_programme_item")
    with op.batch_alter_table("evenemang_programme_item") as batch:
        batch.drop_column("submission_key")
    op.drop_index("ix_evenemang_sign_up_attempt_at", table_name="evenemang_sign_up_attempt")
    op.drop_index("ix_evenemang_sign_up_attempt_client", table_name="evenemang_sign_up_attempt")
    op.drop_table("evenemang_sign_up_attempt")
