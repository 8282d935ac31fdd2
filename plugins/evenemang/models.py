"""The evenemang plugin's tables, all prefixed ``evenemang_``.

Times: an event keeps its wall-clock start and end (``starts_at``/``ends_at``,
naive) in its own time zone ``tz`` (an IANA name, the site's by default), as a
person typed them and as iCalendar writes them with ``TZID``. ``first_start_utc``
and ``last_end_utc`` (naive UTC) are derived on every save, so a page asks the
database for the events that touch a range and expands only those: for a
series ``last_end_utc`` is the end of its last occurrence (a series must end,
see ``recurrence.py``).

Organisers are member associations referred to by slug (the member directory
is another plugin's; see ``core.api.member_page_url``), with the name as it
was when the event was saved so a page needs no other plugin to draw it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import NaiveDatetime
from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from core.api import utcnow


class Status(StrEnum):
    """What a visitor is told about the event (schema.org ``eventStatus``)."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"  # STATUS:CANCELLED in iCalendar, travels to peers
    POSTPONED = "postponed"
    FULL = "full"


class Review(StrEnum):
    """Where the event stands with the site's admins: only ``published``
    events are public (pages, .ics, feeds)."""

    PUBLISHED = "published"
    PENDING = "pending"  # an editor's event waiting for an admin (setting ``require_approval``)
    DECLINED = "declined"


class AgeGroup(StrEnum):
    ALL = "all"
    CHILDREN = "children"  # "för barn": the children filter
    FAMILY = "family"  # also matches the children filter
    YOUTH = "youth"
    ADULTS = "adults"
    SENIORS = "seniors"


class Event(SQLModel, table=True):
    __tablename__ = "evenemang_event"

    id: int | None = Field(default=None, primary_key=True)
    #: iCalendar UID, minted once and never changed (``ev-<random>@<host>``).
    uid: str = Field(max_length=200, unique=True, index=True)
    title: str = Field(max_length=200)
    summary: str = Field(default="", max_length=400)
    description: str = Field(default="")  # Markdown, sanitized when shown
    # -- time ------------------------------------------------------------------
    tz: str = Field(default="Europe/Stockholm", max_length=64)
    starts_at: NaiveDatetime  # wall clock in ``tz``; midnight for all-day events
    ends_at: NaiveDatetime  # wall clock in ``tz``; all-day: the last day's midnight (inclusive day)
    all_day: bool = False
    #: RFC 5545 RRULE value without the "RRULE:" prefix ("FREQ=WEEKLY;BYDAY=TU;UNTIL=..."); "" for one-off.
    rrule: str = Field(default="", max_length=500)
    #: Cancelled occurrences: their start dates, ISO, comma-separated ("2026-12-24,2026-12-31").
    exdates: str = Field(default="", max_length=4000)
    first_start_utc: NaiveDatetime = Field(index=True)  # naive UTC
    last_end_utc: NaiveDatetime = Field(index=True)  # naive UTC
    # -- place -----------------------------------------------------------------
    place_name: str = Field(default="", max_length=200)
    address: str = Field(default="", max_length=300)
    municipality: str = Field(default="", max_length=80, index=True)
    #: A room from another plugin (``bookable_places`` hook), e.g. "lokaler:12"; "" for none.
    room_ref: str = Field(default="", max_length=80)
    # -- what and for whom -----------------------------------------------------
    category: str = Field(default="", max_length=40, index=True)
    is_free: bool = Field(default=True, index=True)
    price: str = Field(default="", max_length=120)  # "100 kr, barn gratis"
    age_group: str = Field(default=AgeGroup.ALL, max_length=16, index=True)
    step_free: bool = False
    hearing_loop: bool = False
    sign_language: bool = False
    accessibility_note: str = Field(default="", max_length=500)
    image: str = Field(default="", max_length=200)  # file name under uploads/
    image_alt: str = Field(default="", max_length=300)
    contact_name: str = Field(default="", max_length=120)
    contact_email: str = Field(default="", max_length=254)
    contact_phone: str = Field(default="", max_length=40)
    link: str = Field(default="", max_length=500)
    # -- state -----------------------------------------------------------------
    status: str = Field(default=Status.SCHEDULED, max_length=16, index=True)
    review: str = Field(default=Review.PUBLISHED, max_length=16, index=True)
    review_note: str = Field(default="", max_length=1000)  # why an admin declined
    #: iCalendar SEQUENCE: bumped on every change of time, place or status.
    sequence: int = 0
    created_by_id: int | None = Field(default=None, foreign_key="core_user.id", index=True, ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow, index=True)
    search_text: str = Field(default="")

    @property
    def is_recurring(self) -> bool:
        return bool(self.rrule)

    @property
    def is_public(self) -> bool:
        return self.review == Review.PUBLISHED

    @property
    def is_for_children(self) -> bool:
        return self.age_group in (AgeGroup.CHILDREN, AgeGroup.FAMILY)

    @property
    def is_accessible(self) -> bool:
        return self.step_free


class Organiser(SQLModel, table=True):
    """An association that organises an event (an event may have several)."""

    __tablename__ = "evenemang_organiser"
    __table_args__ = (UniqueConstraint("event_id", "association_slug"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="evenemang_event.id", index=True, ondelete="CASCADE")
    association_slug: str = Field(max_length=120, index=True)
    association_name: str = Field(max_length=200)
