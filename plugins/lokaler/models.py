"""The lokaler plugin's tables, all prefixed ``lokaler_``.

Times of a booking are stored as naive UTC (``start_utc``, ``end_utc``), as
core's other plugins do, and shown in the site's time zone. ``block_end_utc``
is the end plus the resource's buffer (cleaning, airing) as it was when the
booking was made: two active bookings of one resource may not overlap from
start to block end. PostgreSQL refuses an overlap itself (an exclusion
constraint on ``tsrange(start_utc, block_end_utc)`` for the active
statuses, written by the migration); on SQLite ``store.py`` checks inside a
transaction that holds the write lock.

Bookers are member associations by slug (the member directory is another
plugin's; its name is kept with the booking), or another organisation or a
resident by name, with contact details erased by a daily job after
``contact_retention_days``.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import NaiveDatetime
from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.api import N_, utcnow


class Kind(StrEnum):
    ROOM = "room"
    THING = "thing"  # a projector, the kitchen, the minibus


class Approval(StrEnum):
    #: Member associations' bookings are confirmed at once; others wait for an admin.
    AUTO = "auto"
    #: Every booking waits for an admin.
    MANUAL = "manual"


class BookerKind(StrEnum):
    MEMBER = "member"
    ORGANISATION = "organisation"
    RESIDENT = "resident"


class BookingStatus(StrEnum):
    REQUESTED = "requested"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    CANCELLED = "cancelled"


#: The statuses that hold the resource: no two of them may overlap.
ACTIVE = (BookingStatus.REQUESTED.value, BookingStatus.CONFIRMED.value)

STATUS_LABELS = {
    BookingStatus.REQUESTED: N_("Väntar på godkännande"),
    BookingStatus.CONFIRMED: N_("Bekräftad"),
    BookingStatus.DECLINED: N_("Avslagen"),
    BookingStatus.CANCELLED: N_("Avbokad"),
}
KIND_LABELS = {Kind.ROOM: N_("Rum"), Kind.THING: N_("Resurs")}
BOOKER_LABELS = {
    BookerKind.MEMBER: N_("Medlemsförening"),
    BookerKind.ORGANISATION: N_("Annan organisation"),
    BookerKind.RESIDENT: N_("Privatperson"),
}
WEEKDAYS = [N_("måndag"), N_("tisdag"), N_("onsdag"), N_("torsdag"), N_("fredag"), N_("lördag"), N_("söndag")]


class Resource(SQLModel, table=True):
    """A room or a bookable thing of the house."""

    __tablename__ = "lokaler_resource"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    kind: str = Field(default=Kind.ROOM, max_length=16)
    summary: str = Field(default="", max_length=400)
    capacity: int = 0  # people; 0 for a thing
    equipment: str = Field(default="", max_length=1000)
    accessibility: str = Field(default="", max_length=1000)
    location: str = Field(default="", max_length=200)  # "Plan 2, till vänster om hissen"
    house_rules: str = Field(default="")  # Markdown, sanitized when shown
    image: str = Field(default="", max_length=200)  # a core image under uploads/
    image_alt: str = Field(default="", max_length=300)
    min_minutes: int = 30
    max_minutes: int = 480
    max_days_ahead: int = 180
    buffer_minutes: int = 0
    #: Meant to be booked past midnight (the minibus over a weekend). A booking
    #: runs past midnight wherever the opening hours do (open to 24:00 and from
    #: 00:00 the next day, ``slots.check_rules``); with this unset, one where they
    #: do not is refused as "not past midnight", with it set by the hours it breaks.
    overnight: bool = False
    for_members: bool = True
    for_organisations: bool = False
    for_residents: bool = False
    #: What others than member associations pay (shown; no payments are taken).
    price_text: str = Field(default="", max_length=300)
    approval: str = Field(default=Approval.AUTO, max_length=16)
    #: A booker may cancel up to this many hours before the start.
    cancel_hours: int = 24
    is_active: bool = Field(default=True, index=True)
    sort_order: int = 0
    created_at: datetime = Field(default_factory=utcnow)


class OpeningHours(SQLModel, table=True):
    """When a resource may be booked on a weekday (0 Monday), in minutes
    after local midnight; ``closes`` may be 1440 (midnight)."""

    __tablename__ = "lokaler_opening"
    __table_args__ = (UniqueConstraint("resource_id", "weekday"),)

    id: int | None = Field(default=None, primary_key=True)
    resource_id: int = Field(foreign_key="lokaler_resource.id", index=True, ondelete="CASCADE")
    weekday: int
    opens: int
    closes: int


class ClosedDay(SQLModel, table=True):
    """A day the house (``resource_id`` None) or one resource is closed,
    beside the Swedish public holidays (``calendar.py``)."""

    __tablename__ = "lokaler_closed_day"

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(index=True)
    reason: str = Field(default="", max_length=200)
    resource_id: int | None = Field(default=None, foreign_key="lokaler_resource.id", ondelete="CASCADE")


class Booking(SQLModel, table=True):
    __tablename__ = "lokaler_booking"
    #: The week view and the collision check look up one resource's bookings by start.
    __table_args__ = (Index("ix_lokaler_booking_resource_start", "resource_id", "start_utc"),)

    id: int | None = Field(default=None, primary_key=True)
    #: iCalendar UID, minted once and never changed.
    uid: str = Field(max_length=200, unique=True)
    resource_id: int = Field(foreign_key="lokaler_resource.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=200)
    #: How many people will come (a room's capacity is checked against it); None for a thing.
    attendees: int | None = None
    booker_kind: str = Field(default=BookerKind.MEMBER, max_length=16)
    association_slug: str = Field(default="", max_length=120, index=True)
    association_name: str = Field(default="", max_length=200)
    organisation: str = Field(default="", max_length=200)  # another organisation's or a resident's name
    contact_name: str = Field(default="", max_length=120)
    contact_email: str = Field(default="", max_length=254)
    contact_phone: str = Field(default="", max_length=40)
    start_utc: NaiveDatetime = Field(index=True)
    end_utc: NaiveDatetime
    block_end_utc: NaiveDatetime = Field(index=True)
    status: str = Field(default=BookingStatus.CONFIRMED, max_length=16, index=True)
    #: Why an admin declined, moved or cancelled it (sent to the booker).
    admin_message: str = Field(default="", max_length=1000)
    series_id: str = Field(default="", max_length=40, index=True)
    #: Shown with the booker's name and title in "Lediga tider".
    is_public: bool = False
    #: Key, code or door: shown only to the booker and admins.
    access_note: str = Field(default="", max_length=1000)
    sequence: int = 0
    created_by_id: int | None = Field(default=None, foreign_key="core_user.id", index=True, ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    contact_erased_at: datetime | None = None
    #: When the reminder the day before went out (daily job), so it goes once.
    reminded_at: datetime | None = None

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    @property
    def booker(self) -> str:
        return self.association_name or self.organisation


class Office(SQLModel, table=True):
    """An office or desk at Föreningsbyrån rented to an association; one
    without a tenant for today is listed as vacant."""

    __tablename__ = "lokaler_office"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)  # "Kontor 3", "Skrivbordsplats A"
    size_text: str = Field(default="", max_length=120)  # "14 m², fönster mot gården"
    description: str = Field(default="", max_length=2000)
    rent_text: str = Field(default="", max_length=300)
    tenant_slug: str = Field(default="", max_length=120)
    tenant_name: str = Field(default="", max_length=200)
    period_start: date | None = None
    period_end: date | None = None
    terms: str = Field(default="", max_length=2000)


class OfficeInterest(SQLModel, table=True):
    """Someone's interest in an office (the public form); erased by the
    daily job after ``contact_retention_days``."""

    __tablename__ = "lokaler_office_interest"

    id: int | None = Field(default=None, primary_key=True)
    office_id: int | None = Field(default=None, foreign_key="lokaler_office.id", ondelete="SET NULL")
    organisation: str = Field(max_length=200)
    name: str = Field(max_length=120)
    email: str = Field(max_length=254)
    phone: str = Field(default="", max_length=40)
    message: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow, index=True)
