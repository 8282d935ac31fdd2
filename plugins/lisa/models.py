"""The LISA plugin's tables, all prefixed ``lisa_``.

The directory (organisations, services, their needs, opening hours) holds no
personal data. Referrals do, so they are minimal, carry their own deletion
date, and every read is written to ``lisa_referral_access`` (which keeps only
who, when and what was done, never the referral's content, so the log may
outlive the referral).

Core knows two roles (admin, editor). LISA's own roles live here: a
``Membership`` links an account to an organisation (it receives referrals and
keeps its services current) or to a health centre (it sends referrals), so no
core table is altered.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import UniqueConstraint, false
from sqlmodel import Field, SQLModel

from core.api import utcnow


def new_uid() -> str:
    """HSDS identifiers are UUIDs; they stay the same for the row's life."""
    return str(uuid.uuid4())


class ServiceStatus(StrEnum):
    ACTIVE = "active"
    TEMPORARILY_CLOSED = "temporarily closed"  # HSDS wording; shown with its message
    ENDED = "defunct"


class ContactMethod(StrEnum):
    DROP_IN = "dropin"
    PHONE = "phone"
    BOOKING = "booking"
    REFERRAL = "referral"


class ReferralStatus(StrEnum):
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    COMPLETED = "completed"


class MembershipKind(StrEnum):
    ORGANISATION = "organisation"
    HEALTH_CENTRE = "health_centre"


class ProposalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Organisation(SQLModel, table=True):
    __tablename__ = "lisa_organisation"

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(default_factory=new_uid, max_length=36, unique=True, index=True)
    name: str = Field(max_length=200)
    #: Förening, trossamfund, ideell organisation, kommunal öppen verksamhet ...
    kind: str = Field(default="Förening", max_length=60)
    description: str = Field(default="", max_length=2000)
    website: str = Field(default="", max_length=300)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=40)
    municipality: str = Field(default="", max_length=80)
    #: The webportal association this is, for member associations (no foreign
    #: key: the webportal plugin may not be enabled on the site).
    association_slug: str = Field(default="", max_length=120)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Term(SQLModel, table=True):
    """A need in LISA's Swedish taxonomy (ensamhet, ekonomi och skulder ...)."""

    __tablename__ = "lisa_term"

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(default_factory=new_uid, max_length=36, unique=True, index=True)
    code: str = Field(max_length=60, unique=True, index=True)
    name: str = Field(max_length=100)
    description: str = Field(default="", max_length=500)
    position: int = Field(default=50)
    updated_at: datetime = Field(default_factory=utcnow)


class HealthCentre(SQLModel, table=True):
    __tablename__ = "lisa_health_centre"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    municipality: str = Field(default="", max_length=80)


class Service(SQLModel, table=True):
    __tablename__ = "lisa_service"

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(default_factory=new_uid, max_length=36, unique=True, index=True)
    organisation_id: int = Field(foreign_key="lisa_organisation.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=200)
    summary: str = Field(default="", max_length=300)
    description: str = Field(default="", max_length=4000)
    #: For whom: target groups in words, eligibility and ages.
    target_groups: str = Field(default="", max_length=500)
    eligibility: str = Field(default="", max_length=1000)
    min_age: int | None = None
    max_age: int | None = None
    #: ISO 639-1 codes, comma-separated ("sv,en,ar").
    languages: str = Field(default="sv", max_length=200)
    free: bool = Field(default=True)
    cost_description: str = Field(default="", max_length=500)
    #: ContactMethod values, comma-separated.
    contact_methods: str = Field(default="", max_length=100)
    how_to_contact: str = Field(default="", max_length=1000)
    phone: str = Field(default="", max_length=40)
    email: str = Field(default="", max_length=254)
    website: str = Field(default="", max_length=300)
    accepts_referrals: bool = Field(default=False)
    status: str = Field(default=ServiceStatus.ACTIVE, max_length=24, index=True)
    status_message: str = Field(default="", max_length=500)
    # Where: one location per service keeps the forms short; HSDS gets it as a location.
    municipality: str = Field(default="", max_length=80, index=True)
    location_name: str = Field(default="", max_length=200)
    address: str = Field(default="", max_length=200)
    postal_code: str = Field(default="", max_length=10)
    city: str = Field(default="", max_length=80)
    accessibility: str = Field(default="", max_length=1000)
    #: When the information was last confirmed, and by whom (a name, not an account).
    verified_at: datetime | None = None
    verified_by: str = Field(default="", max_length=200)
    #: Keeps its weekly hours on public holidays and on julafton, midsommarafton
    #: and nyårsafton; most services close on them, so the default is no.
    open_on_holidays: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow, index=True)
    search_text: str = Field(default="")

    @property
    def language_list(self) -> list[str]:
        return [code.strip() for code in self.languages.split(",") if code.strip()]

    @property
    def method_list(self) -> list[str]:
        return [m.strip() for m in self.contact_methods.split(",") if m.strip()]


class ServiceTerm(SQLModel, table=True):
    __tablename__ = "lisa_service_term"
    __table_args__ = (UniqueConstraint("service_id", "term_id"),)

    id: int | None = Field(default=None, primary_key=True)
    service_id: int = Field(foreign_key="lisa_service.id", index=True, ondelete="CASCADE")
    term_id: int = Field(foreign_key="lisa_term.id", index=True, ondelete="CASCADE")


class Schedule(SQLModel, table=True):
    """A weekly opening: weekday 0 (Monday) to 6, from ``opens_at`` to
    ``closes_at`` in the site's time zone (HSDS: freq WEEKLY, byday)."""

    __tablename__ = "lisa_schedule"

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(default_factory=new_uid, max_length=36, unique=True)
    service_id: int = Field(foreign_key="lisa_service.id", index=True, ondelete="CASCADE")
    weekday: int = Field(ge=0, le=6)
    opens_at: time
    closes_at: time


class SpecialHours(SQLModel, table=True):
    """Dates on which the weekly openings do not apply: closed ("stängt 24–26
    december") or open other hours ("öppet 10–14 på nyårsafton"). They win
    over holidays and the week. HSDS 3.0 has no closed flag: these travel as
    schedule rows with ``valid_from``/``valid_to``, without times when closed."""

    __tablename__ = "lisa_special_hours"

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(default_factory=new_uid, max_length=36, unique=True)
    service_id: int = Field(foreign_key="lisa_service.id", index=True, ondelete="CASCADE")
    starts_on: date
    ends_on: date
    #: Both None when closed on these dates.
    opens_at: time | None = None
    closes_at: time | None = None
    #: Why, in the organisation's words ("Julstängt"); shown beside the hours.
    note: str = Field(default="", max_length=200)

    @property
    def closed(self) -> bool:
        return self.opens_at is None or self.closes_at is None

    @property
    def hours(self) -> tuple[time, time] | None:
        """(opens, closes) on these dates, or None when closed."""
        if self.opens_at is None or self.closes_at is None:
            return None
        return self.opens_at, self.closes_at

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


class Membership(SQLModel, table=True):
    """An account acting for an organisation or for a health centre."""

    __tablename__ = "lisa_membership"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id", "health_centre_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="core_user.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=16)
    organisation_id: int | None = Field(default=None, foreign_key="lisa_organisation.id", ondelete="CASCADE")
    health_centre_id: int | None = Field(default=None, foreign_key="lisa_health_centre.id", ondelete="CASCADE")


class Referral(SQLModel, table=True):
    """A person handed on to a service, with their consent. Minimal by design:
    a first name or alias, how to reach them, what they need. Deleted at
    ``delete_after``."""

    __tablename__ = "lisa_referral"

    id: int | None = Field(default=None, primary_key=True)
    service_id: int = Field(foreign_key="lisa_service.id", index=True, ondelete="CASCADE")
    sender_user_id: int | None = Field(default=None, foreign_key="core_user.id", ondelete="SET NULL")
    #: The sending health centre or organisation, shown to the receiver.
    sender_health_centre_id: int | None = Field(default=None, foreign_key="lisa_health_centre.id", ondelete="SET NULL")
    sender_organisation_id: int | None = Field(default=None, foreign_key="lisa_organisation.id", ondelete="SET NULL")
    person_name: str = Field(max_length=60)
    contact: str = Field(max_length=120)
    need: str = Field(max_length=1000)
    consent_by: str = Field(max_length=120)
    consent_scope: str = Field(max_length=500)
    consent_at: datetime
    status: str = Field(default=ReferralStatus.SENT, max_length=16, index=True)
    status_changed_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    delete_after: datetime = Field(index=True)


class ReferralAccess(SQLModel, table=True):
    """Who read or changed a referral, when. No content, so it may outlive
    the referral (no foreign key to it)."""

    __tablename__ = "lisa_referral_access"

    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(index=True)
    user_id: int | None = Field(default=None, foreign_key="core_user.id", ondelete="SET NULL")
    action: str = Field(max_length=24)  # read, created, status:<new>, deleted
    at: datetime = Field(default_factory=utcnow, index=True)


class Proposal(SQLModel, table=True):
    """An organisation's proposed change to one of its services, waiting for
    an admin. ``changes`` is JSON of field -> new value."""

    __tablename__ = "lisa_proposal"

    id: int | None = Field(default=None, primary_key=True)
    service_id: int = Field(foreign_key="lisa_service.id", index=True, ondelete="CASCADE")
    changes: str = Field(default="{}")
    submitted_by: str = Field(default="", max_length=200)
    submitted_at: datetime = Field(default_factory=utcnow)
    status: str = Field(default=ProposalStatus.PENDING, max_length=16, index=True)
    decided_at: datetime | None = None
