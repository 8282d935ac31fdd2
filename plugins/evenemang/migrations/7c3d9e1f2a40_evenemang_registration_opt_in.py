"""evenemang: double opt-in for sign-ups, one active registration per address

Revision ID: 7c3d9e1f2a40
Revises: 5b1e0c7a9d21
Create Date: 2026-12-05 07:30:00

A sign-up by e-mail waits (state ``pending``) until the mailed link is
followed: ``waiting_ok`` keeps the visitor's yes to the waiting list until
then, ``confirmed_at`` says when it was confirmed. The partial unique index
lets an address hold one active registration per event; duplicates from
before it are cancelled first (the oldest stays) and every event's
``taken`` is counted again from its confirmed rows.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "7c3d9e1f2a40"
down_revision: str | Sequence[str] | None = "5b1e0c7a9d21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHERE = "state IN ('confirmed', 'waiting') AND email <> ''"


def upgrade() -> None:
    with op.batch_alter_table("evenemang_registration") as batch:
        batch.add_column(sa.Column("waiting_ok", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("confirmed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.execute(
        "UPDATE evenemang_registration SET state = 'cancelled' "
        f"WHERE {WHERE} AND id > (SELECT min(r2.id) FROM evenemang_registration r2 "
        "WHERE r2.event_id = evenemang_registration.event_id AND lower(r2.email) = lower(evenemang_registration.email) "
        "AND r2.state IN ('confirmed', 'waiting') AND r2.email <> '')"
    )
    op.execute(
        "UPDATE evenemang_registration_setup SET taken = (SELECT count(*) FROM evenemang_registration r "
        "WHERE r.event_id = evenemang_registration_setup.event_id AND r.state = 'confirmed')"
    )
    op.create_index(
        "uq_evenemang_registration_active_email",
        "evenemang_registration",
        ["event_id", sa.text("lower(email)")],
        unique=True,
        sqlite_where=sa.text(WHERE),
        postgresql_where=sa.text(WHERE),
    )


def downgrade() -> None:
    op.drop_index("uq_evenemang_registration_active_email", table_name="evenemang_registration")
    with op.batch_alter_table("evenemang_registration") as batch:
        batch.drop_column("confirmed_at")
        batch.drop_column("waiting_ok")
