"""Figures for the umbrella's follow-up report (the IOP review)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlmodel import Session, col, select

from core.api import Figure
from core.api import gettext as _
from plugins.odling.models import Harvest, Member, Observation, Signup, WorkSession


def figures(db: Session, start: date, end: date) -> list[Figure]:
    since = datetime.combine(start, time.min, tzinfo=UTC)
    until = datetime.combine(end, time.max, tzinfo=UTC)
    joined = len(db.exec(select(Member.id).where(col(Member.joined_at) >= since, col(Member.joined_at) <= until)).all())
    sessions = db.exec(
        select(WorkSession).where(col(WorkSession.starts_at) >= since, col(WorkSession.starts_at) <= until)
    ).all()
    ids = [s.id for s in sessions]
    by_id = {s.id: s for s in sessions}
    attended = (
        db.exec(select(Signup).where(col(Signup.session_id).in_(ids), Signup.attended == True)).all()  # noqa: E712
        if ids
        else []
    )
    hours = sum(by_id[s.session_id].hours for s in attended)
    kg = sum(
        h.quantity
        for h in db.exec(
            select(Harvest).where(
                col(Harvest.harvested_on) >= start, col(Harvest.harvested_on) <= end, Harvest.unit == "kg"
            )
        ).all()
    )
    counted = sum(
        o.count
        for o in db.exec(
            select(Observation).where(col(Observation.observed_on) >= start, col(Observation.observed_on) <= end)
        ).all()
    )
    plugin = "odling"
    # The report page shows labels and units as given, so they are translated
    # here, in the language of the person asking for the report.
    return [
        Figure(_("Nya medlemmar i parken"), joined, _("personer"), plugin),
        Figure(_("Arbetspass i parken"), len(sessions), _("pass"), plugin),
        Figure(_("Ideella timmar i parken"), round(hours, 1), _("timmar"), plugin),
        Figure(_("Skörd i parken"), round(kg, 1), "kg", plugin),
        Figure(_("Räknade pollinatörer"), counted, _("individer"), plugin),
    ]
