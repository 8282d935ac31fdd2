"""The partnership's own figures, under the IOP contract's three areas, for
a period (inclusive dates). They feed the follow-up report and, through
``report_figures``, core's Uppföljning page too."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, func, select

from core.api import N_, Figure
from plugins.samverkan.models import (
    Assignment,
    AssignmentStatus,
    Meeting,
    MeetingKind,
    Offer,
    OfferAnswer,
    Project,
    ProjectStatus,
    Statement,
)

PLUGIN = "samverkan"
VOICE, COORDINATION, PROJECTS = "voice", "coordination", "projects"

#: The contract's areas, in the order the report shows them: key -> heading (msgid).
AREAS = {
    VOICE: N_("Röstbärarroll"),
    COORDINATION: N_("Samordningsstöd och uppdragsförmedling"),
    PROJECTS: N_("Projektstöd"),
}


def _names(text: str) -> set[str]:
    return {line.strip() for line in text.splitlines() if line.strip()}


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """UTC bounds of the days (UTC days: close enough for counting)."""
    first = datetime.combine(start, time(0), tzinfo=UTC)
    return first, datetime.combine(end + timedelta(days=1), time(0), tzinfo=UTC)


def voice(db: Session, start: date, end: date) -> list[Figure]:
    statements = db.exec(
        select(Statement.associations).where(col(Statement.day) >= start, col(Statement.day) <= end)
    ).all()
    meetings = db.exec(
        select(
            Meeting.kind,
            Meeting.civil_society,
            col(Meeting.municipality) + col(Meeting.region) + col(Meeting.business),
            Meeting.associations,
        ).where(col(Meeting.day) >= start, col(Meeting.day) <= end)
    ).all()
    associations: set[str] = set()
    for text in [*statements, *(m[3] for m in meetings)]:
        associations |= _names(text)
    people = sum(m[1] + m[2] for m in meetings)

    def count(kind: MeetingKind) -> int:
        return sum(1 for m in meetings if m[0] == kind)

    return [
        Figure(N_("Remissvar och skrivelser"), len(statements), N_("st"), VOICE),
        Figure(N_("Nätverksträffar"), count(MeetingKind.NETWORK), N_("st"), VOICE),
        Figure(N_("Möten i samverkansgruppen"), count(MeetingKind.GROUP), N_("st"), VOICE),
        Figure(N_("Dialogmöten med kommunen"), count(MeetingKind.DIALOGUE), N_("st"), VOICE),
        Figure(N_("Utbildningar"), count(MeetingKind.TRAINING), N_("st"), VOICE),
        Figure(N_("Deltagare på möten"), people, N_("personer"), VOICE),
        Figure(N_("Deltagare från civilsamhället"), sum(m[1] for m in meetings), N_("personer"), VOICE),
        Figure(N_("Föreningar som deltagit i möten och remissvar"), len(associations), N_("föreningar"), VOICE),
    ]


def coordination(db: Session, start: date, end: date) -> list[Figure]:
    # Columns, not rows: a busy year has thousands of assignments and offers.
    first, after = _bounds(start, end)
    received = db.exec(
        select(Assignment.social_enterprise).where(
            col(Assignment.created_at) >= first, col(Assignment.created_at) < after
        )
    ).all()
    matched = db.exec(
        select(Assignment.status, Assignment.matched_slug, Assignment.hours, Assignment.paid_kronor).where(
            col(Assignment.matched_at).is_not(None),
            col(Assignment.matched_at) >= first,
            col(Assignment.matched_at) < after,
        )
    ).all()
    declined = db.exec(
        select(func.count()).where(
            col(Offer.answered_at).is_not(None),
            col(Offer.answered_at) >= first,
            col(Offer.answered_at) < after,
            Offer.answer == OfferAnswer.NO,
        )
    ).one()
    return [
        Figure(N_("Inkomna uppdrag"), len(received), N_("st"), COORDINATION),
        Figure(N_("Förmedlade uppdrag"), len(matched), N_("st"), COORDINATION),
        Figure(
            N_("Genomförda uppdrag"), sum(1 for m in matched if m[0] == AssignmentStatus.DONE), N_("st"), COORDINATION
        ),
        Figure(N_("Erbjudanden som föreningar tackat nej till"), int(declined), N_("st"), COORDINATION),
        Figure(
            N_("Föreningar som tagit uppdrag"), len({m[1] for m in matched if m[1]}), N_("föreningar"), COORDINATION
        ),
        Figure(
            N_("Uppdrag som passar sociala företag"), sum(1 for social in received if social), N_("st"), COORDINATION
        ),
        Figure(N_("Timmar i förmedlade uppdrag"), round(sum(m[2] for m in matched), 1), N_("timmar"), COORDINATION),
        Figure(N_("Ersättning till föreningar"), sum(m[3] for m in matched), N_("kr"), COORDINATION),
    ]


def projects(db: Session, start: date, end: date) -> list[Figure]:
    submitted = db.exec(
        select(Project).where(
            col(Project.submitted).is_not(None), col(Project.submitted) >= start, col(Project.submitted) <= end
        )
    ).all()
    granted = [p for p in submitted if p.status in (ProjectStatus.GRANTED, ProjectStatus.FINISHED)]
    running = db.exec(
        select(Project).where(
            col(Project.status).in_([ProjectStatus.GRANTED.value, ProjectStatus.FINISHED.value]),
            col(Project.starts).is_not(None),
            col(Project.starts) <= end,
        )
    ).all()
    running = [p for p in running if p.ends is None or p.ends >= start]
    partners: set[str] = set()
    for p in submitted:
        partners |= _names(p.partners) | {p.lead}
    return [
        Figure(N_("Inskickade projektansökningar"), len(submitted), N_("st"), PROJECTS),
        Figure(N_("Beviljade projektansökningar"), len(granted), N_("st"), PROJECTS),
        Figure(N_("Sökt belopp"), sum(p.applied_kronor for p in submitted), N_("kr"), PROJECTS),
        Figure(N_("Beviljat belopp"), sum(p.granted_kronor for p in granted), N_("kr"), PROJECTS),
        Figure(N_("Pågående projekt"), len(running), N_("st"), PROJECTS),
        Figure(N_("Föreningar i gemensamma ansökningar"), len(partners), N_("föreningar"), PROJECTS),
    ]


def own(db: Session, start: date, end: date) -> list[Figure]:
    """All three areas; ``plugin`` holds the area's key."""
    return voice(db, start, end) + coordination(db, start, end) + projects(db, start, end)


def for_core_report(db: Session, start: date, end: date) -> list[Figure]:
    """The same figures for ``report_figures``: ``plugin`` names this plugin."""
    return [Figure(f.label, f.value, f.unit, PLUGIN) for f in own(db, start, end)]
