"""Booking the event's room in the same save (issue 14, with issue 15's
premises plugin): when an editor puts an event in a room of the house, the
form says whether the room is booked for it, free, or cannot be booked
then, and "Boka lokalen för evenemanget" books it for the organising
association. The premises plugin decides everything about the booking
(``core.api.book_place``: who may book, opening hours, closed days,
collisions, approval); this module only asks, before the event is written,
so that a refusal leaves nothing saved."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from core.api import AssociationRef, Site, User, book_place, place_bookings
from core.api import gettext as _
from plugins.evenemang import recurrence
from plugins.evenemang.forms import EventForm
from plugins.evenemang.models import Event

#: How many of a series' coming occurrences are looked at, here and by
#: ``editing``'s check that the room is free.
LIMIT = 400


@dataclass
class RoomState:
    """What the form says about the event's room: a sentence, the premises
    plugin's problems with booking it then, and the booking's page;
    ``blocked`` when the room cannot be had (shown as a warning),
    ``fix_first`` when the form's other errors stopped the check."""

    text: str
    problems: list[str] = field(default_factory=list)
    url: str = ""
    booked: bool = False
    blocked: bool = False
    fix_first: bool = False


def coming_occurrences(site: Site, event: Event) -> list[recurrence.Occurrence]:
    """The event's occurrences from now on, at most ``LIMIT``, in its own zone."""
    now = site.clock.now().astimezone(UTC).replace(tzinfo=None)
    start_utc = max(event.first_start_utc, now)
    if event.last_end_utc <= start_utc:
        return []
    return recurrence.expand([event], start_utc, event.last_end_utc)[:LIMIT]


def coming(site: Site, event: Event) -> list[tuple[datetime, datetime]]:
    """The event's coming occurrences as aware UTC spans (an all-day one
    holds the room its whole last day)."""
    spans = []
    for occurrence in coming_occurrences(site, event):
        end = occurrence.end + timedelta(days=1) if event.all_day else occurrence.end
        spans.append((occurrence.start.astimezone(UTC), end.astimezone(UTC)))
    return spans


def organiser(form_organisers: list[str], mine: dict[str, str]) -> AssociationRef | None:
    """The association the room is booked for: the first organiser the editor may act for."""
    for slug in form_organisers:
        if slug in mine:
            return AssociationRef(slug, mine[slug])
    return None


def _unbooked(
    site: Site, db: Session, event: Event, organisers: list[str]
) -> tuple[list[tuple[datetime, datetime]], list[tuple[str, str]]]:
    """The coming spans not yet held by a booking of one of the organisers,
    and the (status, url) of the organisers' bookings that hold the others."""
    spans = coming(site, event)
    if not spans:
        return [], []
    held = [
        b
        for b in place_bookings(site, db, event.room_ref, spans[0][0], max(end for _start, end in spans))
        if b.association and b.association in organisers
    ]
    free, found = [], []
    for start, end in spans:
        cover = next((b for b in held if b.start <= start and b.end >= end), None)
        if cover is None:
            free.append((start, end))
        else:
            found.append((cover.status, cover.url))
    return free, found


def state_of(
    site: Site, db: Session, event: Event, organisers: list[str], user: User, mine: dict[str, str]
) -> RoomState | None:
    """Whether the event's room is booked for its coming occurrences, could
    be (a dry run of the premises plugin's rules), or not; None without a
    room or coming occurrences."""
    if not event.room_ref:
        return None
    free, found = _unbooked(site, db, event, organisers)
    if not free and not found:
        return None
    url = next((u for _s, u in found if u), "")
    if not free:
        if any(status == "requested" for status, _u in found):
            text = _("Lokalen är bokad för evenemanget och väntar på att kansliet godkänner bokningen.")
        else:
            text = _("Lokalen är bokad för evenemanget.")
        return RoomState(text, url=url, booked=True)
    association = organiser(organisers, mine)
    if association is None:
        return RoomState(_("Välj arrangör, så syns om lokalen kan bokas för evenemanget."))
    answer = book_place(site, event.room_ref, free, association=association, title=event.title, user=user, dry_run=True)
    if answer is None:
        return None
    if not answer.ok:
        return RoomState(_("Lokalen kan inte bokas för evenemanget då:"), list(answer.problems), url, blocked=True)
    if found:
        text = _("Lokalen är bokad för %(booked)s av tillfällena. De %(free)s andra är lediga men inte bokade.") % {
            "booked": len(found),
            "free": len(free),
        }
    else:
        text = _("Lokalen är ledig då, men inte bokad för evenemanget.")
    sentences = [text, _("Kryssa i ”Boka lokalen för evenemanget” och spara, så bokas den.")]
    if answer.status == "requested":
        sentences.append(_("Bokningen väntar sedan på att kansliet godkänner den."))
    return RoomState(" ".join(sentences), url=url)


def book(site: Site, db: Session, form: EventForm, event: Event, user: User, mine: dict[str, str]) -> str | None:
    """Book the room for the event's coming occurrences not yet booked for
    it, if the editor asked. Returns the sentence to show after the save
    ("" when nothing was asked), or None with the premises plugin's
    problems on the form's checkbox (nothing is booked then)."""
    if not form.book_room.data or not event.room_ref:
        return ""
    organisers = list(form.organisers.data or [])
    association = organiser(organisers, mine)
    if association is None:
        form.book_room.errors = [_("Välj vilken förening som arrangerar evenemanget: lokalen bokas för den.")]
        return None
    free, found = _unbooked(site, db, event, organisers)
    if not free:
        return _("Lokalen var redan bokad för evenemanget.") if found else ""
    answer = book_place(site, event.room_ref, free, association=association, title=event.title, user=user)
    if answer is None:
        form.book_room.errors = [_("Den här lokalen går inte att boka härifrån. Ingenting är sparat.")]
        return None
    if not answer.ok:
        form.book_room.errors = [
            _("Lokalen gick inte att boka, så ingenting är sparat. Välj en annan tid eller lokal:"),
            *answer.problems,
        ]
        return None
    if answer.status == "requested":
        return _("Lokalen är bokad för %(name)s och väntar på att kansliet godkänner bokningen.") % {
            "name": association.name
        }
    return _("Lokalen är bokad för %(name)s.") % {"name": association.name}
