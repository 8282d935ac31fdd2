"""Registration and programme figures for the follow-up report
(``report_figures``), and the daily job that erases participants'
personal data after their event."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, col, func, select

from core.api import N_, DailyJob, Figure, Site
from core.api import gettext as _
from plugins.evenemang import registration_store, store, times
from plugins.evenemang.models import Event, Review
from plugins.evenemang.programme_models import ItemState, ProgrammeItem
from plugins.evenemang.registration_models import Registration, RegState


def figures(site: Site, db: Session, start: date, after_end: date) -> list[Figure]:
    """Programme items held in the period (accepted, their event published)
    and participants registered for events in the period (a place, not
    cancelled; erased rows still count)."""
    zone = site.config.site.timezone
    first, last = times.day_start_utc(start, zone), times.day_start_utc(after_end, zone)
    in_period = (col(Event.first_start_utc) >= first, col(Event.first_start_utc) < last)
    items = db.exec(
        select(func.count(col(ProgrammeItem.id)))
        .join(Event, col(Event.id) == col(ProgrammeItem.event_id))
        .where(ProgrammeItem.state == ItemState.ACCEPTED, Event.review == Review.PUBLISHED, *in_period)
    ).one()
    associations = db.exec(
        select(func.count(func.distinct(col(ProgrammeItem.association_slug))))
        .join(Event, col(Event.id) == col(ProgrammeItem.event_id))
        .where(ProgrammeItem.state == ItemState.ACCEPTED, Event.review == Review.PUBLISHED, *in_period)
    ).one()
    participants = db.exec(
        select(func.count(col(Registration.id)))
        .join(Event, col(Event.id) == col(Registration.event_id))
        .where(Registration.state == RegState.CONFIRMED, *in_period)
    ).one()
    return [
        Figure(_("Programpunkter"), int(items), _("st"), "evenemang"),
        Figure(_("Föreningar med programpunkter"), int(associations), _("st"), "evenemang"),
        Figure(_("Anmälda deltagare"), int(participants), _("personer"), "evenemang"),
    ]


def erase_job(site: Site, now: datetime) -> str:
    days = store.settings_of(site).registration_retention_days
    erased = registration_store.erase_after_event(site, now, days)
    return _("Raderade namn och e-post i anmälningar: %(n)s") % {"n": erased}


def daily_jobs() -> list[DailyJob]:
    return [DailyJob("evenemang-anmalningar-gallra", N_("Ta bort deltagares uppgifter efter evenemanget"), erase_job)]
