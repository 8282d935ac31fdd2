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

A sign-up by e-mail is ``PENDING`` until the link mailed to the address is
followed (double opt-in): it takes no place and is not on the waiting list,
so nobody can fill an event with other people's addresses, and it is
deleted when its link expires. A signed-in account's own sign-up needs no
mail. One e-mail address holds at most one active registration per event
(a partial unique index, ``ACTIVE_EMAIL_INDEX``), so two simultaneous
identical sign-ups cannot both count.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, func, text
from sqlmodel import Field, SQLModel

from core.api import utcnow


class RegState(StrEnum):
    CONFIRMED = "confirmed"
    WAITING = "waiting"
    CANCELLED = "cancelled"
    #: Waits for the address to be confirmed by the mailed link; holds no place.
    PENDING = "pending"


#: States that hold a place or a place in the queue (one per address and event).
ACTIVE = (RegState.CONFIRMED, RegState.WAITING)
ACTIVE_EMAIL_INDEX = "uq_evenemang_registration_active_email"
#: The index's condition, the same text on SQLite and PostgreSQL (erased rows have no e-mail).
ACTIVE_EMAIL_WHERE = "state IN ('confirmed', 'waiting') AND email <> ''"


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
    __table_args__ = (
        Index(
            ACTIVE_EMAIL_INDEX,
            "event_id",
            func.lower(text("email")),
            unique=True,
            sqlite_where=text(ACTIVE_EMAIL_WHERE),
            postgresql_where=text(ACTIVE_EMAIL_WHERE),
        ),
    )

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
    #: A pending sign-up said yes to the waiting list, should the places be gone when it is confirmed.
    waiting_ok: bool = False
    #: When the address was confirmed (``None`` for a signed-in account's own sign-up).
    confirmed_at: datetime | None = None
    #: When the name and e-mail were erased (``None``: still held).
    erased_at: datetime | None = None
