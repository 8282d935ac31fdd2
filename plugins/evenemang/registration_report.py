"""Registration and programme figures for the follow-up report
(``report_figures``), and the daily jobs that erase personal data when its
purpose is over: participants' names and e-mail a set number of days after
their event, sign-ups never confirmed when their link expires, and the
contact on programme submissions the same number of days after the
programme's last day."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from core.api import N_, DailyJob, Figure, Site
from core.api import gettext as _
from plugins.evenemang import registration_store, store, times
from plugins.evenemang.models import Event, Review
from plugins.evenemang.programme_models import ItemState, Programme, ProgrammeItem
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


def pending_job(site: Site, now: datetime) -> str:
    deleted = registration_store.delete_expired_pending(site, now)
    return _("Tog bort obekräftade anmälningar: %(n)s") % {"n": deleted}


def erase_programme_contacts(site: Site, now: datetime, days: int) -> int:
    """Erase the contact name and e-mail of every submission to a programme
    whose last day was more than ``days`` days before ``now`` (site time);
    the item stays, with its association. Twice erases nothing more."""
    today = site.clock.local_date(now)
    over = select(Programme.id).where(col(Programme.last_day) < today - timedelta(days=days))
    with site.session() as db:
        result = db.execute(
            update(ProgrammeItem)
            .where(col(ProgrammeItem.programme_id).in_(over), col(ProgrammeItem.contact_email) != "")
            .values(contact_name="", contact_email="")
        )
        return int(result.rowcount)  # type: ignore[attr-defined]  # a CursorResult for an UPDATE


def programme_contacts_job(site: Site, now: datetime) -> str:
    erased = erase_programme_contacts(site, now, store.settings_of(site).registration_retention_days)
    return _("Raderade kontaktuppgifter i programbidrag: %(n)s") % {"n": erased}


def daily_jobs() -> list[DailyJob]:
    return [
        DailyJob("evenemang-anmalningar-gallra", N_("Ta bort deltagares uppgifter efter evenemanget"), erase_job),
        DailyJob("evenemang-obekraftade-gallra", N_("Ta bort anmälningar som aldrig bekräftades"), pending_job),
        DailyJob(
            "evenemang-programkontakter-gallra",
            N_("Ta bort kontaktuppgifter i programbidrag efter programmet"),
            programme_contacts_job,
        ),
    ]
