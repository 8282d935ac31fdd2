"""The samverkan plugin's tables, all prefixed ``samverkan_``.

Associations are referred to by slug with their name kept beside it (the
member directory is another plugin's). The only personal data are an
assignment's contact person (name, e-mail, phone), erased by a daily job
``contact_retention_days`` after the assignment was closed, and the contact
person of an association's interest in an assignment, erased
``interest_retention_days`` after the assignment closed or its last day to
report interest passed; meetings count participants per sector and list
associations, never persons.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from core.api import N_, utcnow


class RequesterKind(StrEnum):
    MUNICIPALITY = "kommun"
    REGION = "region"
    COMPANY = "foretag"
    ORGANISATION = "organisation"


REQUESTER_LABELS = {
    RequesterKind.MUNICIPALITY: N_("Kommun"),
    RequesterKind.REGION: N_("Region"),
    RequesterKind.COMPANY: N_("Företag"),
    RequesterKind.ORGANISATION: N_("Organisation"),
}


class AssignmentStatus(StrEnum):
    NEW = "new"  # sent in, not yet looked at
    OPEN = "open"  # accepted by staff, looking for an association
    MATCHED = "matched"  # an association took it
    DONE = "done"  # carried out, outcome recorded
    CLOSED = "closed"  # no association took it, or the requester withdrew it
    REJECTED = "rejected"  # not an assignment for the umbrella (spam, out of scope)


STATUS_LABELS = {
    AssignmentStatus.NEW: N_("Ny"),
    AssignmentStatus.OPEN: N_("Söker förening"),
    AssignmentStatus.MATCHED: N_("Förmedlat"),
    AssignmentStatus.DONE: N_("Genomfört"),
    AssignmentStatus.CLOSED: N_("Avslutat utan förening"),
    AssignmentStatus.REJECTED: N_("Avvisat"),
}

#: Statuses after which the requester's contact details are kept only until the deletion date.
FINISHED = (AssignmentStatus.DONE.value, AssignmentStatus.CLOSED.value, AssignmentStatus.REJECTED.value)


class Assignment(SQLModel, table=True):
    __tablename__ = "samverkan_assignment"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    description: str = Field(max_length=4000)
    requester_kind: str = Field(default=RequesterKind.MUNICIPALITY, max_length=16)
    requester: str = Field(max_length=200)  # the organisation asking
    contact_name: str = Field(default="", max_length=120)
    contact_email: str = Field(default="", max_length=254)
    contact_phone: str = Field(default="", max_length=40)
    when_text: str = Field(default="", max_length=200)
    place: str = Field(default="", max_length=200)
    scope: str = Field(default="", max_length=200)
    compensation: str = Field(default="", max_length=200)
    social_enterprise: bool = False  # suited for a social enterprise (arbetsintegrerande)
    show_public: bool = False  # the requester lets it be listed publicly while open
    #: Sista dag att anmäla intresse: after this day it is no longer offered as open.
    deadline: date | None = None
    status: str = Field(default=AssignmentStatus.NEW, max_length=16, index=True)
    matched_slug: str = Field(default="", max_length=120)
    matched_name: str = Field(default="", max_length=200)
    outcome: str = Field(default="", max_length=2000)
    hours: float = 0
    paid_kronor: int = 0
    created_at: datetime = Field(default_factory=utcnow, index=True)
    matched_at: datetime | None = None
    closed_at: datetime | None = None


def offered_as_open(row: Assignment, today: date) -> bool:
    """Open and the last day to report interest (if any) not yet passed."""
    return row.status == AssignmentStatus.OPEN and (row.deadline is None or row.deadline >= today)


class OfferAnswer(StrEnum):
    PENDING = "pending"
    YES = "yes"
    NO = "no"
    QUESTION = "question"


ANSWER_LABELS = {
    OfferAnswer.PENDING: N_("Inte besvarat"),
    OfferAnswer.YES: N_("Ja, vi vill ta uppdraget"),
    OfferAnswer.NO: N_("Nej tack"),
    OfferAnswer.QUESTION: N_("Vi har en fråga"),
}


class Offer(SQLModel, table=True):
    """An assignment offered to one association; its editors answer once
    (a question may be followed by a yes or a no)."""

    __tablename__ = "samverkan_offer"

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="samverkan_assignment.id", index=True)
    association_slug: str = Field(max_length=120, index=True)
    association_name: str = Field(max_length=200)
    answer: str = Field(default=OfferAnswer.PENDING, max_length=16)
    message: str = Field(default="", max_length=2000)
    offered_at: datetime = Field(default_factory=utcnow)
    answered_at: datetime | None = None


class InterestStatus(StrEnum):
    NEW = "new"  # registered, not yet looked at by staff
    OFFERED = "offered"  # staff turned it into an offer answered yes
    DECLINED = "declined"  # staff said no thanks


INTEREST_LABELS = {
    InterestStatus.NEW: N_("Ny"),
    InterestStatus.OFFERED: N_("Gjord till erbjudande"),
    InterestStatus.DECLINED: N_("Avböjd"),
}


class Interest(SQLModel, table=True):
    """An association's interest in a public open assignment, registered on
    the public form (by a member association here, or one of a neighbour
    umbrella's that followed the federated copy home). The association is
    named as typed; staff link it to the directory (``association_slug``)
    when they turn it into an offer. The contact person is kept only to
    broker the assignment, erased by the daily job."""

    __tablename__ = "samverkan_interest"

    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="samverkan_assignment.id", index=True)
    association_name: str = Field(max_length=200)
    association_slug: str = Field(default="", max_length=120)
    contact_name: str = Field(default="", max_length=120)
    contact_email: str = Field(default="", max_length=254, index=True)
    contact_phone: str = Field(default="", max_length=40)
    message: str = Field(default="", max_length=2000)
    status: str = Field(default=InterestStatus.NEW, max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    erased_at: datetime | None = None  # when the daily job erased the contact details


class SocialEnterprise(SQLModel, table=True):
    """A member association the staff have marked as a social enterprise
    (arbetsintegrerande socialt företag)."""

    __tablename__ = "samverkan_social_enterprise"

    id: int | None = Field(default=None, primary_key=True)
    association_slug: str = Field(max_length=120, unique=True)
    association_name: str = Field(max_length=200)


class Statement(SQLModel, table=True):
    """Röstbärare: a consultation answer (remissvar) or statement."""

    __tablename__ = "samverkan_statement"

    id: int | None = Field(default=None, primary_key=True)
    topic: str = Field(max_length=200)
    recipient: str = Field(max_length=200)
    day: date = Field(index=True)
    associations: str = Field(default="", max_length=2000)  # names, one a line
    summary: str = Field(default="", max_length=4000)
    outcome: str = Field(default="", max_length=2000)
    document: str = Field(default="", max_length=200)  # a checked PDF under uploads/
    is_public: bool = True


class MeetingKind(StrEnum):
    NETWORK = "natverk"
    GROUP = "samverkansgrupp"
    DIALOGUE = "dialog"
    TRAINING = "utbildning"


MEETING_LABELS = {
    MeetingKind.NETWORK: N_("Nätverksträff"),
    MeetingKind.GROUP: N_("Samverkansgrupp"),
    MeetingKind.DIALOGUE: N_("Dialog med kommunen"),
    MeetingKind.TRAINING: N_("Utbildning"),
}


class Meeting(SQLModel, table=True):
    __tablename__ = "samverkan_meeting"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    kind: str = Field(default=MeetingKind.NETWORK, max_length=16)
    day: date = Field(index=True)
    place: str = Field(default="", max_length=200)
    agenda: str = Field(default="", max_length=4000)
    minutes: str = Field(default="", max_length=20000)  # Markdown, sanitized when shown
    civil_society: int = 0  # participants per sector, counts only
    municipality: int = 0
    region: int = 0
    business: int = 0
    associations: str = Field(default="", max_length=2000)  # names, one a line


class Action(SQLModel, table=True):
    """A follow-up action agreed at a meeting."""

    __tablename__ = "samverkan_action"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="samverkan_meeting.id", index=True)
    what: str = Field(max_length=300)
    owner: str = Field(max_length=200)  # a role or an organisation, not a person's details
    due: date | None = None
    done: bool = False


class ProjectStatus(StrEnum):
    IDEA = "idea"
    WRITING = "writing"
    SUBMITTED = "submitted"
    GRANTED = "granted"
    DECLINED = "declined"
    FINISHED = "finished"


PROJECT_LABELS = {
    ProjectStatus.IDEA: N_("Idé"),
    ProjectStatus.WRITING: N_("Ansökan skrivs"),
    ProjectStatus.SUBMITTED: N_("Inskickad"),
    ProjectStatus.GRANTED: N_("Beviljad"),
    ProjectStatus.DECLINED: N_("Avslag"),
    ProjectStatus.FINISHED: N_("Avslutad"),
}


class Project(SQLModel, table=True):
    """Projektstöd: a joint project application of several associations."""

    __tablename__ = "samverkan_project"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    lead: str = Field(max_length=200)  # the lead association's name
    partners: str = Field(default="", max_length=2000)  # names, one a line
    funder: str = Field(max_length=200)
    applied_kronor: int = 0
    granted_kronor: int = 0
    submitted: date | None = None
    starts: date | None = None
    ends: date | None = None
    status: str = Field(default=ProjectStatus.IDEA, max_length=16)
    notes: str = Field(default="", max_length=4000)


class Report(SQLModel, table=True):
    """A follow-up report of a period: staff's comment per area, and once
    sent a frozen copy of everything it showed (``frozen``: JSON), so that
    later edits do not change what was reported."""

    __tablename__ = "samverkan_report"

    id: int | None = Field(default=None, primary_key=True)
    start: date
    end: date
    comment_voice: str = Field(default="", max_length=4000)
    comment_coordination: str = Field(default="", max_length=4000)
    comment_projects: str = Field(default="", max_length=4000)
    frozen: str = Field(default="")
    sent_at: datetime | None = None
