"""Festival programmes: an umbrella event ("Kultur- och föreningskalaset")
with a call for contributions, and the programme items associations submit.

An item is a proposal until an admin accepts it; accepting makes it an
``Event`` (``ProgrammeItem.event_id``), so it shows in the calendar, the
site's .ics and the network calendar like any other event. The item keeps
what only a programme knows: the stage, the association's needs and the
review's conversation with the submitter.
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from core.api import utcnow


class ItemState(StrEnum):
    PENDING = "pending"  # waiting for an admin (new, or changed after "ask for changes")
    CHANGES = "changes"  # the admin asked the submitter to change something
    ACCEPTED = "accepted"  # in the programme, as an event
    DECLINED = "declined"


class Programme(SQLModel, table=True):
    __tablename__ = "evenemang_programme"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True, index=True)
    title: str = Field(max_length=200)
    summary: str = Field(default="", max_length=400)
    description: str = Field(default="")  # Markdown, sanitized when shown
    first_day: date
    last_day: date
    place_name: str = Field(default="", max_length=200)
    address: str = Field(default="", max_length=300)
    municipality: str = Field(default="", max_length=80)
    #: The stages or places inside the venue, one a line ("Stora scenen").
    stages: str = Field(default="", max_length=2000)
    #: Category the accepted items get as events ("" for none).
    category: str = Field(default="", max_length=40)
    #: The call for contributions: open, and until which day (inclusive, site time).
    call_open: bool = True
    deadline: date | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    @property
    def stage_list(self) -> list[str]:
        return [line.strip() for line in self.stages.splitlines() if line.strip()]


#: One item per submission form (a double-click sends the form twice), keyed where a key was sent.
SUBMISSION_KEY_INDEX = "uq_evenemang_programme_item_submission_key"
SUBMISSION_KEY_WHERE = "submission_key <> ''"


class ProgrammeItem(SQLModel, table=True):
    __tablename__ = "evenemang_programme_item"
    __table_args__ = (
        Index(
            SUBMISSION_KEY_INDEX,
            "submission_key",
            unique=True,
            sqlite_where=text(SUBMISSION_KEY_WHERE),
            postgresql_where=text(SUBMISSION_KEY_WHERE),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="evenemang_programme.id", index=True, ondelete="CASCADE")
    #: The event an accepted item became; an admin deleting it leaves the item.
    event_id: int | None = Field(default=None, foreign_key="evenemang_event.id", index=True, ondelete="SET NULL")
    title: str = Field(max_length=200)
    description: str = Field(default="")  # Markdown
    association_slug: str = Field(max_length=120, index=True)
    association_name: str = Field(max_length=200)
    day: date
    start_time: time
    end_time: time
    stage: str = Field(default="", max_length=120)
    #: What the association needs on the day (electricity, a table, sound).
    needs: str = Field(default="", max_length=1000)
    contact_name: str = Field(default="", max_length=120)
    contact_email: str = Field(max_length=254)
    submitted_by_id: int | None = Field(default=None, foreign_key="core_user.id", index=True, ondelete="SET NULL")
    state: str = Field(default=ItemState.PENDING, max_length=16, index=True)
    #: The admin's last message to the submitter (also e-mailed).
    review_message: str = Field(default="", max_length=2000)
    reviewed_at: datetime | None = None
    #: The random key of the form the item was sent from: a second send of the same form (a double-click)
    #: finds the item instead of making another (a partial unique index, see the migration).
    submission_key: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
