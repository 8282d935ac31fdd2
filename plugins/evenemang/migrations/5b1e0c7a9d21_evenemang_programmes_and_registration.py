"""evenemang: festival programmes with their items, and registration

Revision ID: 5b1e0c7a9d21
Revises: ff92641ad35a
Create Date: 2026-12-04 19:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "5b1e0c7a9d21"
down_revision: str | Sequence[str] | None = "ff92641ad35a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "evenemang_programme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", S(length=80), nullable=False),
        sa.Column("title", S(length=200), nullable=False),
        sa.Column("summary", S(length=400), nullable=False),
        sa.Column("description", S(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("place_name", S(length=200), nullable=False),
        sa.Column("address", S(length=300), nullable=False),
        sa.Column("municipality", S(length=80), nullable=False),
        sa.Column("stages", S(length=2000), nullable=False),
        sa.Column("category", S(length=40), nullable=False),
        sa.Column("call_open", sa.Boolean(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("evenemang_programme", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evenemang_programme_slug"), ["slug"], unique=True)

    op.create_table(
        "evenemang_programme_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("title", S(length=200), nullable=False),
        sa.Column("description", S(), nullable=False),
        sa.Column("association_slug", S(length=120), nullable=False),
        sa.Column("association_name", S(length=200), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.Column("stage", S(length=120), nullable=False),
        sa.Column("needs", S(length=1000), nullable=False),
        sa.Column("contact_name", S(length=120), nullable=False),
        sa.Column("contact_email", S(length=254), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("state", S(length=16), nullable=False),
        sa.Column("review_message", S(length=2000), nullable=False),
        sa.Column("reviewed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["programme_id"], ["evenemang_programme.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["event_id"], ["evenemang_event.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["submitted_by_id"], ["core_user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("evenemang_programme_item", schema=None) as batch_op:
        for column in ("programme_id", "event_id", "association_slug", "submitted_by_id", "state"):
            batch_op.create_index(batch_op.f(f"ix_evenemang_programme_item_{column}"), [column], unique=False)

    op.create_table(
        "evenemang_registration_setup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("places", sa.Integer(), nullable=False),
        sa.Column("taken", sa.Integer(), nullable=False),
        sa.Column("waiting_list", sa.Boolean(), nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint("taken >= 0 AND taken <= places", name="ck_evenemang_registration_setup_not_overfull"),
        sa.ForeignKeyConstraint(["event_id"], ["evenemang_event.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("evenemang_registration_setup", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evenemang_registration_setup_event_id"), ["event_id"], unique=True)

    op.create_table(
        "evenemang_registration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("name", S(length=120), nullable=False),
        sa.Column("email", S(length=254), nullable=False),
        sa.Column("state", S(length=16), nullable=False),
        sa.Column("key", S(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("cancelled_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("moved_up_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("erased_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["evenemang_event.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["core_user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("evenemang_registration", schema=None) as batch_op:
        for column in ("event_id", "user_id", "email", "state"):
            batch_op.create_index(batch_op.f(f"ix_evenemang_registration_{column}"), [column], unique=False)


def downgrade() -> None:
    op.drop_table("evenemang_registration")
    op.drop_table("evenemang_registration_setup")
    op.drop_table("evenemang_programme_item")
    op.drop_table("evenemang_programme")
