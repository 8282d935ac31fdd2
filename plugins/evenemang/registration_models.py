"""Registration for an event (optional per event): how many places, and
who signed up.

``RegistrationSetup.taken`` counts confirmed places and is only ever changed
by a guarded ``UPDATE ... WHERE taken < places`` (see ``registration_store``):
the row lock of that update (PostgreSQL) or the database's write lock
(SQLite) decides who gets the last place, and the CHECK constraint makes an
overfilled event impossible whatever the code does.

Personal data (name, e-mail, account) is erased by a daily job a set number
of days after the event (``registration_retention_days``); the erased row is
kept without them, so the follow-up report still counts participants.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from core.api import utcnow


class RegState(StrEnum):
    CONFIRMED = "confirmed"
    WAITING = "waiting"
    CANCELLED = "cancelled"


class RegistrationSetup(SQLModel, table=True):
    __tablename__ = "evenemang_registration_setup"
    __table_args__ = (
        CheckConstraint("taken >= 0 AND taken <= places", name="ck_evenemang_registration_setup_not_overfull"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="evenemang_event.id", unique=True, index=True, ondelete="CASCADE")
    places: int
    taken: int = 0
    waiting_list: bool = True
    is_open: bool = True
    updated_at: datetime = Field(default_factory=utcnow)


class Registration(SQLModel, table=True):
    __tablename__ = "evenemang_registration"

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="evenemang_event.id", index=True, ondelete="CASCADE")
    user_id: int | None = Field(default=None, foreign_key="core_user.id", index=True, ondelete="SET NULL")
    name: str = Field(default="", max_length=120)
    email: str = Field(default="", max_length=254, index=True)
    state: str = Field(default=RegState.CONFIRMED, max_length=16, index=True)
    #: The random half of the cancellation link (the other half is its signature).
    key: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    cancelled_at: datetime | None = None
    moved_up_at: datetime | None = None
    #: When the name and e-mail were erased (``None``: still held).
    erased_at: datetime | None = None
