"""Reading and writing events: the public query with its filters, the
derived fields every save must refresh, and who may change what."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request

from core.api import (
    Site,
    User,
    editable_associations,
    index_text,
    plain_text,
    search_matching,
    tag_authority,
    utcnow,
    words,
)
from core.api import gettext as _
from plugins.evenemang import recurrence, times
from plugins.evenemang.models import AgeGroup, Event, Organiser, Review
from plugins.evenemang.settings import EvenemangSettings

#: The largest id a database integer holds: bigger ones are simply not found.
MAX_ID = 2**63 - 1


def settings_of(site: Site) -> EvenemangSettings:
    settings = site.plugin_settings("evenemang")
    assert isinstance(settings, EvenemangSettings)
    return settings


def new_uid(site: Site) -> str:
    """A UID that never changes for the life of the event (RFC 5545), not
    derived from anything that can change."""
    return f"ev-{secrets.token_hex(10)}@{tag_authority(site)}"


# -- finding ----------------------------------------------------------------------------------------


@dataclass
class Filters:
    """The list's filters as the address carries them (Swedish names)."""

    kategori: str = ""
    forening: str = ""
    kommun: str = ""
    gratis: str = ""
    tillganglig: str = ""
    barn: str = ""
    q: str = ""

    @classmethod
    def of(cls, request: Request) -> Filters:
        params = request.query_params
        return cls(**{f.name: (params.get(f.name) or "").strip()[:200] for f in fields(cls)})

    def params(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}

    def __bool__(self) -> bool:
        return bool(self.params())


def public_statement(db: Session, start_utc: datetime, end_utc: datetime, filters: Filters | None = None) -> Any:
    """Published events with an occurrence that may touch [start, end); the
    free text is asked of the site's search index."""
    statement = select(Event).where(
        Event.review == Review.PUBLISHED,
        col(Event.first_start_utc) < end_utc,
        col(Event.last_end_utc) > start_utc,
    )
    if filters is None:
        return statement
    if filters.kategori:
        statement = statement.where(Event.category == filters.kategori)
    if filters.kommun:
        statement = statement.where(Event.municipality == filters.kommun)
    if filters.forening:
        organised = select(Organiser.event_id).where(Organiser.association_slug == filters.forening)
        statement = statement.where(col(Event.id).in_(organised))
    if filters.gratis:
        statement = statement.where(Event.is_free == True)  # noqa: E712
    if filters.tillganglig:
        statement = statement.where(Event.step_free == True)  # noqa: E712
    if filters.barn:
        statement = statement.where(col(Event.age_group).in_([AgeGroup.CHILDREN, AgeGroup.FAMILY]))
    if words(filters.q):
        found = search_matching(db, filters.q, "events")
        statement = statement.where(col(Event.id).in_(select(found.c.row_id)))
    return statement


def occurrences(
    site: Site, db: Session, start_utc: datetime, end_utc: datetime, filters: Filters | None = None
) -> list[recurrence.Occurrence]:
    """Occurrences of the published events matching ``filters`` that touch
    [start_utc, end_utc), by start: ``recurrence.expand`` of
    ``public_statement``'s events, taken from the site's occurrence index."""
    from plugins.evenemang import occurrence_index

    return occurrence_index.occurrences(site, db, start_utc, end_utc, filters)


def municipalities(db: Session) -> list[str]:
    rows = db.exec(
        select(Event.municipality).where(Event.review == Review.PUBLISHED, Event.municipality != "").distinct()
    ).all()
    return sorted(rows)


def organisers_of(db: Session, ids: list[int]) -> dict[int, list[Organiser]]:
    found: dict[int, list[Organiser]] = {}
    if ids:
        for row in db.exec(select(Organiser).where(col(Organiser.event_id).in_(ids))).all():
            found.setdefault(row.event_id, []).append(row)
    return found


def load(db: Session, event_id: int) -> Event:
    event = db.get(Event, event_id) if 0 < event_id <= MAX_ID else None
    if event is None:
        raise HTTPException(404, _("Evenemanget finns inte, eller är borttaget. Se alla evenemang i kalendern."))
    return event


# -- saving -----------------------------------------------------------------------------------------

#: Changing one of these is a significant change: SEQUENCE goes up (RFC 5545 3.8.7.4).
SIGNIFICANT = ("starts_at", "ends_at", "all_day", "tz", "rrule", "exdates", "place_name", "address", "status")


def derive(event: Event, settings: EvenemangSettings) -> None:
    """Refresh what is derived from the fields a person sets: the UTC range
    (through the last occurrence of a series) and the search text. Raises
    ``times.TimeProblem`` or ``recurrence.RuleProblem`` for bad input."""
    if event.ends_at < event.starts_at or (event.ends_at == event.starts_at and not event.all_day):
        raise times.TimeProblem(_("Evenemanget måste sluta efter att det börjar. Kontrollera slutdatum och sluttid."))
    if not event.all_day:
        times.check_exists(event.starts_at, event.tz)
        times.check_exists(event.ends_at, event.tz)
    first, last = times.span_utc(event.starts_at, event.ends_at, event.all_day, event.tz)
    if event.rrule:
        event.rrule = recurrence.normalise(event.rrule, event.all_day, event.tz)
        last_start = recurrence.check(event.rrule, event.starts_at, event.tz, settings.max_occurrences, event.all_day)
        duration = event.ends_at - event.starts_at
        _ignored, last = times.span_utc(last_start, last_start + duration, event.all_day, event.tz)
        last += timedelta(hours=2)  # a DST change inside the series may stretch wall-clock spans
    event.first_start_utc, event.last_end_utc = first, last
    event.search_text = index_text(
        event.title,
        event.summary,
        plain_text(event.description or ""),
        event.place_name,
        event.address,
        event.municipality,
        event.category,
    )


def touch(event: Event, before: dict[str, object] | None) -> None:
    """Mark a change: ``updated_at`` always, SEQUENCE when something
    significant changed since ``before`` (None: a new event)."""
    event.updated_at = utcnow()
    if before is not None and any(before.get(name) != getattr(event, name) for name in SIGNIFICANT):
        event.sequence += 1


def snapshot(event: Event) -> dict[str, object]:
    return {name: getattr(event, name) for name in SIGNIFICANT}


def set_organisers(db: Session, event: Event, chosen: list[tuple[str, str]]) -> None:
    """Make ``chosen`` (slug, name) the event's organisers."""
    assert event.id is not None
    existing = {o.association_slug: o for o in db.exec(select(Organiser).where(Organiser.event_id == event.id)).all()}
    wanted = dict(chosen)
    for slug, row in existing.items():
        if slug not in wanted:
            db.delete(row)
        else:
            row.association_name = wanted[slug]
            db.add(row)
    for slug, name in chosen:
        if slug not in existing:
            db.add(Organiser(event_id=event.id, association_slug=slug, association_name=name))


# -- who may do what --------------------------------------------------------------------------------


def editable_slugs(site: Site, db: Session, user: User | None) -> dict[str, str]:
    """slug -> name of the associations ``user`` may publish for."""
    return {a.slug: a.name for a in editable_associations(site, db, user)}


def may_edit(site: Site, db: Session, user: User | None, event: Event) -> bool:
    """Admins edit every event; an editor those of their associations, and
    the ones they wrote themselves."""
    if user is None or not user.is_active:
        return False
    if user.is_admin or (event.created_by_id is not None and event.created_by_id == user.id):
        return True
    mine = editable_slugs(site, db, user)
    slugs = db.exec(select(Organiser.association_slug).where(Organiser.event_id == event.id)).all()
    return any(slug in mine for slug in slugs)


def pending_count(db: Session) -> int:
    return int(db.exec(select(func.count(col(Event.id))).where(Event.review == Review.PENDING)).one())
