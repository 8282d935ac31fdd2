"""Events shown elsewhere: the front page's and an association page's
coming events, and hits in the site-wide search."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from core.api import N_, Block, PlaceUse, SearchDocument, SearchKind, Site, babel_locale, url_for
from core.api import gettext as _
from plugins.evenemang import public, recurrence, store
from plugins.evenemang.models import Event, Review

#: How far ahead a block looks for coming events.
AHEAD_DAYS = 60


def coming(site: Site, db: Session, count: int, title: str, association: str = "") -> Block | None:
    """The next ``count`` events (of one association, or all). The front
    page drops the block when nothing is coming; an association's page keeps
    it, saying so, so that its calendar (.ics) is always linked there."""
    now = site.clock.now().replace(tzinfo=None)
    filters = store.Filters(forening=association)
    found = [o for o in store.occurrences(site, db, now, now + timedelta(days=AHEAD_DAYS), filters)][:count]
    if not found and not association:
        return None
    more = url_for(site, "evenemang:events") + (f"?forening={association}" if association else "")
    return Block(
        title,
        "evenemang/coming_block.html",
        {
            "occurrences": found,
            "event_url": lambda o: url_for(site, "evenemang:event", event_id=o.event.id),
            "span": lambda o: span_text(site, o),
            "more_url": more,
            "ics_url": url_for(site, "evenemang:association_ics", slug=association)
            if association
            else url_for(site, "evenemang:site_ics"),
        },
        order=30,
    )


def span_text(site: Site, occurrence: recurrence.Occurrence) -> str:
    """When an occurrence is, said once: "Måndag 21 december 2026, 18:00–20:00";
    over several days "Måndag 21 december 2026 – tisdag 22 december 2026, heldag"
    (not the first day and then the span again)."""
    days = occurrence.days
    first = public.day_label(site, days[0])
    if len(days) == 1:
        return f"{first}, {public.when(site, occurrence)}"
    last = public.day_label(site, days[-1])
    last = last[:1].lower() + last[1:] if babel_locale(site).startswith("sv") else last
    if occurrence.event.all_day:
        return _("%(first)s – %(last)s, heldag") % {"first": first, "last": last}
    return f"{first} {occurrence.start:%H:%M} – {last} {occurrence.end:%H:%M}"


def search_kind() -> SearchKind:
    """Published events in the site's search index (kind ``events``, as federated)."""
    from plugins.evenemang.federated import KIND

    def describe(site: Site, event: Event) -> SearchDocument | None:
        if event.review != Review.PUBLISHED:
            return None
        url = url_for(site, "evenemang:event", event_id=event.id)
        start = event.first_start_utc.replace(tzinfo=UTC) if event.first_start_utc else None
        return SearchDocument(event.title, url, event.search_text, event.summary or event.place_name, start)

    return SearchKind(KIND, N_("Evenemang"), Event, describe)


def in_place(site: Site, session: Session, ref: str, start: datetime, end: datetime) -> list[PlaceUse]:
    """The occurrences of published events held in the room ``ref`` that
    touch ``start``..``end`` (aware), for the premises plugin's calendar."""

    start_utc = start.astimezone(UTC).replace(tzinfo=None)
    end_utc = end.astimezone(UTC).replace(tzinfo=None)
    events = session.exec(
        select(Event).where(
            Event.room_ref == ref,
            Event.review == Review.PUBLISHED,
            Event.status != "cancelled",
            col(Event.first_start_utc) < end_utc,
            col(Event.last_end_utc) > start_utc,
        )
    ).all()
    return [
        PlaceUse(o.event.title, o.start, o.end, url_for(site, "evenemang:event", event_id=o.event.id))
        for o in recurrence.expand(events, start_utc, end_utc)
        if not o.event.all_day
    ]
