"""The odling plugin's tables, all prefixed ``odling_``.

Lists of months and pollinator groups are stored as comma-separated text
(``"5,6,7"``) so the same columns work on SQLite and PostgreSQL; the
properties turn them into Python lists. Coordinators are modelled here
(``odling_coordinator`` points at ``core_user``), never by altering core.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.api import utcnow


def _ints(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip().isdigit()]


def _words(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


class Bed(SQLModel, table=True):
    """A bed or an area of the park (meadow, orchard, hives), drawn as a
    rectangle on the park plan (coordinates in a 1000 × 600 grid)."""

    __tablename__ = "odling_bed"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=12, index=True)  # the label on the plan, e.g. "B3"
    name: str = Field(max_length=120)
    kind: str = Field(default="badd", max_length=16)  # badd | omrade
    area_m2: float = Field(default=0)
    x: int = Field(default=0)
    y: int = Field(default=0)
    width: int = Field(default=100)
    height: int = Field(default=60)
    sun: str = Field(default="sol", max_length=16)  # sol | halvskugga | skugga
    soil: str = Field(default="", max_length=120)
    description: str = Field(default="", max_length=1000)


class Crop(SQLModel, table=True):
    """A plant grown in the park, edible for people and feeding pollinators."""

    __tablename__ = "odling_crop"

    id: int | None = Field(default=None, primary_key=True)
    name_sv: str = Field(max_length=120, index=True)
    name_latin: str = Field(max_length=160, unique=True)
    edible_parts: str = Field(default="", max_length=200)
    flowering: str = Field(default="", max_length=40)  # months, "6,7,8"
    pollinators: str = Field(default="", max_length=200)  # group keys, "humlor,honungsbi"
    lifecycle: str = Field(default="flerarig", max_length=16)  # ettarig | tvaarig | flerarig
    notes: str = Field(default="", max_length=500)
    search_text: str = Field(default="")

    @property
    def months(self) -> list[int]:
        return _ints(self.flowering)

    @property
    def pollinator_keys(self) -> list[str]:
        return _words(self.pollinators)


class Planting(SQLModel, table=True):
    """A crop in a bed for one season (year)."""

    __tablename__ = "odling_planting"

    id: int | None = Field(default=None, primary_key=True)
    bed_id: int = Field(sa_column=Column(Integer, ForeignKey("odling_bed.id", ondelete="CASCADE"), nullable=False))
    crop_id: int = Field(sa_column=Column(Integer, ForeignKey("odling_crop.id", ondelete="CASCADE"), nullable=False))
    season: int = Field(index=True)
    planted_on: date | None = None
    amount: str = Field(default="", max_length=80)  # "12 plantor", "2 rader"
    notes: str = Field(default="", max_length=500)


class Harvest(SQLModel, table=True):
    """What a planting gave, one row per picking."""

    __tablename__ = "odling_harvest"

    id: int | None = Field(default=None, primary_key=True)
    planting_id: int = Field(
        sa_column=Column(Integer, ForeignKey("odling_planting.id", ondelete="CASCADE"), nullable=False)
    )
    harvested_on: date = Field(index=True)
    quantity: float
    unit: str = Field(default="kg", max_length=12)  # kg | st | knippen | liter
    notes: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=utcnow)


class Member(SQLModel, table=True):
    """A resident who joined the park organisation. Minimal data: a name,
    one way to reach them, how they want to take part and their consent.
    ``token`` is their personal link (no account, no password);
    ``delete_after`` is when the retention rule removes them unless they
    are active again."""

    __tablename__ = "odling_member"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    email: str = Field(default="", max_length=254, index=True)
    phone: str = Field(default="", max_length=40)
    interests: str = Field(default="", max_length=200)  # interest keys
    message: str = Field(default="", max_length=500)
    consent_text: str = Field(max_length=1000)
    consented_at: datetime = Field(default_factory=utcnow)
    token: str = Field(max_length=64, unique=True)
    joined_at: datetime = Field(default_factory=utcnow)
    last_active_at: datetime = Field(default_factory=utcnow)
    delete_after: date

    @property
    def interest_keys(self) -> list[str]:
        return _words(self.interests)


class Coordinator(SQLModel, table=True):
    """A user account that coordinates the park (plans beds, runs work
    sessions, sees the member list). Site admins always may."""

    __tablename__ = "odling_coordinator"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("core_user.id", ondelete="CASCADE"), nullable=False, unique=True)
    )
    responsibility: str = Field(default="", max_length=120)
    appointed_at: datetime = Field(default_factory=utcnow)


class WorkSession(SQLModel, table=True):
    """A volunteer work session ("arbetspass") with a fixed number of places."""

    __tablename__ = "odling_work_session"

    id: int | None = Field(default=None, primary_key=True)
    task: str = Field(max_length=160)
    description: str = Field(default="", max_length=1000)
    starts_at: datetime = Field(index=True)
    ends_at: datetime
    places: int = Field(default=8)
    bed_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("odling_bed.id", ondelete="SET NULL"), nullable=True)
    )
    uid: str = Field(default_factory=lambda: uuid.uuid4().hex, max_length=32, unique=True)  # iCal UID
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    @property
    def hours(self) -> float:
        return round((self.ends_at - self.starts_at).total_seconds() / 3600, 2)


class Signup(SQLModel, table=True):
    """A member's place on a work session. ``attended`` is set by a
    coordinator afterwards; attended sessions count as hours."""

    __tablename__ = "odling_signup"
    __table_args__ = (UniqueConstraint("session_id", "member_id", name="uq_odling_signup_session_member"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(
        sa_column=Column(Integer, ForeignKey("odling_work_session.id", ondelete="CASCADE"), nullable=False)
    )
    member_id: int = Field(
        sa_column=Column(Integer, ForeignKey("odling_member.id", ondelete="CASCADE"), nullable=False)
    )
    signed_up_at: datetime = Field(default_factory=utcnow)
    reminded_at: datetime | None = None
    attended: bool | None = None


class Observation(SQLModel, table=True):
    """A pollinator count: how many of a species or group were seen, when
    and where. ``occurrence_id`` is permanent, for Darwin Core."""

    __tablename__ = "odling_observation"

    id: int | None = Field(default=None, primary_key=True)
    observed_on: date = Field(index=True)
    bed_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("odling_bed.id", ondelete="SET NULL"), nullable=True)
    )
    taxon: str = Field(max_length=40)  # a key in taxa.TAXA
    count: int
    notes: str = Field(default="", max_length=300)
    member_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("odling_member.id", ondelete="SET NULL"), nullable=True)
    )
    user_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("core_user.id", ondelete="SET NULL"), nullable=True)
    )
    occurrence_id: str = Field(default_factory=lambda: f"urn:uuid:{uuid.uuid4()}", max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
