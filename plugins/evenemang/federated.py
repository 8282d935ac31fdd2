"""What the events plugin shares with peer sites, and the network calendar.

One federated kind, ``events``: every published event, as a paged history
feed (not complete), so a deletion travels as an RFC 6721 tombstone and an
edit replaces the peer's copy under the same entry id. The structured fields
travel in the Paraply namespace: the iCalendar UID and SEQUENCE, wall-clock
start and end with the time zone, RRULE and EXDATE, status (a cancellation
is ``status=cancelled``), place, category, price and accessibility.

Received events are untrusted text: ``received_occurrences`` rebuilds them
as unsaved ``Event`` objects, checking every date and rule as a local event
is checked, and counts the ones it cannot read instead of failing the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from sqlmodel import Session, col, select

from core.api import (
    FederatedKind,
    FeedItem,
    ReceivedEntry,
    Site,
    absolute_url_for,
    plain_text,
    received_entries,
    received_stamp,
    render_markdown,
    tag_authority,
    url_for,
)
from plugins.evenemang import occurrence_index, recurrence, store, times
from plugins.evenemang.models import Event, Review

KIND = "events"
_FLAGS = ("step_free", "hearing_loop", "sign_language", "is_free", "all_day")


def tag_uri(site: Site, specific: str) -> str:
    return f"tag:{tag_authority(site)},{store.settings_of(site).tag_year}:{specific}"


def event_tag(site: Site, event_id: int | None) -> str:
    return tag_uri(site, f"evenemang/{event_id}")


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def fields_of(event: Event, organisers: list[str]) -> dict[str, str]:
    """The structured fields of one event, as plain strings."""
    fields = {
        "uid": event.uid,
        "sequence": str(event.sequence),
        "starts": event.starts_at.isoformat(timespec="minutes"),
        "ends": event.ends_at.isoformat(timespec="minutes"),
        "tz": event.tz,
        "status": event.status,
        "place": event.place_name,
        "address": event.address,
        "municipality": event.municipality,
        "category": event.category,
        "price": event.price,
        "age_group": event.age_group,
        "organisers": "; ".join(organisers),
    }
    if event.rrule:
        fields["rrule"] = event.rrule
        if event.exdates:
            fields["exdates"] = event.exdates
    for flag in _FLAGS:
        fields[flag] = "1" if getattr(event, flag) else "0"
    return {k: v for k, v in fields.items() if v != ""}


def event_items(site: Site, db: Session) -> list[FeedItem]:
    events = db.exec(
        select(Event)
        .where(Event.review == Review.PUBLISHED)
        .order_by(col(Event.created_at).desc(), col(Event.id).desc())
    ).all()
    organisers = store.organisers_of(db, [e.id for e in events if e.id is not None])
    items = []
    for event in events:
        names = [o.association_name for o in organisers.get(event.id or 0, [])]
        items.append(
            FeedItem(
                id=event_tag(site, event.id),
                title=event.title,
                link=absolute_url_for(site, "evenemang:event", event_id=event.id),
                published=_aware(event.created_at),
                updated=_aware(event.updated_at),
                summary=event.summary or plain_text(event.description or "")[:400],
                content_html=render_markdown(event.description or ""),
                author=", ".join(names) or site.name,
                categories=tuple(c for c in (event.category,) if c),
                fields=fields_of(event, names),
            )
        )
    return items


def kinds(site: Site) -> list[FederatedKind]:
    return [
        FederatedKind(
            name=KIND,
            title=f"Evenemang från {site.name}",
            feed_id=tag_uri(site, "evenemang"),
            items=lambda db: event_items(site, db),
            model=Event,
            ref_of=lambda row: event_tag(site, row.id),
            is_public=lambda row: row.review == Review.PUBLISHED,
            page_path=url_for(site, "evenemang:events"),
            description=f"Föreningarnas evenemang hos {site.name}, med tider, plats och status.",
        )
    ]


# -- receiving -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    """A peer's event, rebuilt, with where it came from."""

    event: Event
    link: str
    source_id: int
    source_name: str
    organisers: str


class BrokenEntry(ValueError):
    pass


def _flag(fields: dict[str, str], name: str) -> bool:
    return fields.get(name, "0") in ("1", "true", "ja")


@lru_cache(maxsize=20000)
def _rebuild(key: tuple[tuple[str, str], ...], title: str, limit: int) -> Event:
    """An unsaved ``Event`` from a peer's fields, checked like a local one;
    cached by the fields (a peer's event is rebuilt once per change)."""
    fields = dict(key)
    try:
        starts = datetime.fromisoformat(fields["starts"][:25])
        ends = datetime.fromisoformat(fields.get("ends", fields["starts"])[:25])
    except (KeyError, ValueError) as exc:
        raise BrokenEntry(str(exc)) from None
    tz = fields.get("tz", times.DEFAULT_ZONE)
    if not times.is_zone(tz):
        tz = times.DEFAULT_ZONE
    if starts.tzinfo is not None:  # sent with an offset: read it as wall clock in tz
        starts = starts.astimezone(times.zone(tz)).replace(tzinfo=None)
    if ends.tzinfo is not None:
        ends = ends.astimezone(times.zone(tz)).replace(tzinfo=None)
    event = Event(
        uid=fields.get("uid", "")[:200] or f"peer-{hash(key)}",
        title=title[:200],
        starts_at=starts,
        ends_at=ends,
        tz=tz,
        all_day=_flag(fields, "all_day"),
        rrule=fields.get("rrule", "")[:500],
        exdates=fields.get("exdates", "")[:4000],
        first_start_utc=datetime.min,
        last_end_utc=datetime.min,
        place_name=fields.get("place", "")[:200],
        address=fields.get("address", "")[:300],
        municipality=fields.get("municipality", "")[:80],
        category=fields.get("category", "")[:40],
        price=fields.get("price", "")[:120],
        age_group=fields.get("age_group", "all")[:16],
        status=fields.get("status", "scheduled")[:16],
        is_free=_flag(fields, "is_free"),
        step_free=_flag(fields, "step_free"),
        hearing_loop=_flag(fields, "hearing_loop"),
        sign_language=_flag(fields, "sign_language"),
    )
    if event.all_day:
        event.starts_at = datetime.combine(event.starts_at.date(), datetime.min.time())
        event.ends_at = datetime.combine(event.ends_at.date(), datetime.min.time())
    try:
        from plugins.evenemang.settings import EvenemangSettings

        store.derive(event, EvenemangSettings(max_occurrences=limit))
    except (times.TimeProblem, recurrence.RuleProblem) as exc:
        raise BrokenEntry(str(exc)) from None
    return event


@dataclass(frozen=True)
class PeerEvents:
    """Peers' events, rebuilt, how many could not be read, and every
    occurrence of them in an index (``occurrence_index``), so a page takes
    its window by bisection."""

    stamp: str
    found: tuple[Received, ...]
    broken: int
    index: occurrence_index.Index

    def between(self, start_utc: datetime, end_utc: datetime) -> list[tuple[recurrence.Occurrence, Received]]:
        """Occurrences touching [start_utc, end_utc), each with its peer event."""
        item_of = {id(item.event): item for item in self.found}
        return [(o, item_of[id(o.event)]) for o in self.index.between(start_utc, end_utc)]


def received(site: Site, db: Session) -> PeerEvents:
    """Peers' events, kept per site and process under federation's stamp
    (``received_stamp``, read from the database on every call), so a page
    does not read, rebuild and expand every peer event each time, and an
    event arriving, changed or cancelled by a peer shows on the next page
    of every worker."""
    stamp = received_stamp(site, db, KIND)
    kept = getattr(site.state, "evenemang_received", None)
    if stamp and isinstance(kept, PeerEvents) and kept.stamp == stamp:
        return kept
    found, broken = _received(site, db)
    events = list({id(item.event): item.event for item in found}.values())
    kept = PeerEvents(stamp, tuple(found), broken, occurrence_index.build(stamp, events))
    if stamp:
        site.state.evenemang_received = kept
    return kept


def _received(site: Site, db: Session) -> tuple[list[Received], int]:
    limit = store.settings_of(site).max_occurrences
    found: list[Received] = []
    broken = 0
    entry: ReceivedEntry
    for entry in received_entries(site, db, KIND):
        key = tuple(sorted((str(k), str(v)) for k, v in entry.fields.items()))
        try:
            event = _rebuild(key, entry.title, limit)
        except BrokenEntry:
            broken += 1
            continue
        found.append(
            Received(event, entry.link, entry.source.id, entry.source.name, entry.fields.get("organisers", ""))
        )
    return found, broken


def window(site: Site, first: date, days: int) -> tuple[datetime, datetime]:
    zone = site.config.site.timezone
    return times.day_start_utc(first, zone), times.day_start_utc(first + timedelta(days=days), zone)
