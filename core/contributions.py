"""The small value types that plugins return from hooks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.site import Site


@dataclass(frozen=True)
class NavItem:
    """A link in the main navigation or on the admin overview.

    ``tool`` marks a link to someone's work rather than to the site's content
    (a staff desk, "my" lists, the administration): the header shows tools in
    a row of their own under the main menu, so staff's extra links never
    crowd the public menu into two lines. A lone tool (a visitor's "Mina
    lån") joins the account row instead of standing alone on a bar of its
    own (core/templates/base.html)."""

    label: str
    url: str
    order: int = 50
    description: str = ""
    tool: bool = False


@dataclass(frozen=True)
class Block:
    """A front-page block: a template rendered with its own context."""

    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 50


@dataclass(frozen=True)
class SearchResult:
    """One hit in the site-wide search."""

    title: str
    url: str
    summary: str = ""
    kind: str = ""


@dataclass(frozen=True)
class NoticeKind:
    """A kind of notification a plugin sends (``notice_kinds`` hook), which
    each recipient may switch off: ``key`` is ``"<plugin>.<what>"``,
    ``label`` a Swedish text marked with ``N_`` (shown translated on the
    recipient's settings page and in the notice's footer)."""

    key: str
    label: str


@dataclass(frozen=True)
class NewsletterItem:
    """Something for the newsletter (``newsletter_items`` hook): a news
    item, an event, a new loan item. ``section`` is the Swedish heading it
    goes under ("Nyheter", "Evenemang"), ``url`` absolute.
    ``associations`` are the slugs of the member associations the item is
    by or about (a news item's association, an event's organisers), empty
    for the site's own: what a subscriber following one association gets.
    ``place`` is where an event is held ("Folkets hus, Karlskoga"), shown
    with its time in the digest; empty for what has no place."""

    section: str
    title: str
    url: str
    summary: str = ""
    when: datetime | None = None
    order: int = 50
    associations: tuple[str, ...] = ()
    place: str = ""


@dataclass(frozen=True)
class Figure:
    """One figure in the follow-up report."""

    label: str
    value: int | float
    unit: str = ""
    plugin: str = ""


@dataclass(frozen=True)
class DailyJob:
    """Work a plugin needs done once a day: reminders, deleting personal data
    past its date. The site runs it itself (``core.daily``), so nobody has to
    set up cron. ``run(site, now)`` does the work and returns one line, in
    Swedish, saying what it did; admins see it under Administration → Dagliga
    jobb. ``name`` is a stable id; ``title`` a msgid (mark it with ``N_``)."""

    name: str
    title: str
    run: Callable[[Site, datetime], str]


@dataclass(frozen=True)
class AssociationRef:
    """A member association as another plugin may know it, without reading
    the member directory's tables: the slug is its stable key."""

    slug: str
    name: str
    municipality: str = ""
    #: The directory's category ("Idrott", "Kultur" ...), and its stemmed
    #: search words (``core.api.index_text`` of name, descriptions, activities
    #: and category): what samverkan matches assignments against.
    category: str = ""
    search_text: str = ""


@dataclass(frozen=True)
class Place:
    """A bookable place (a room in Föreningarnas hus) offered by a premises
    plugin for events to be held in. ``ref`` is stable and names the plugin
    ("lokaler:12"); ``name`` and ``address`` are what a visitor reads."""

    ref: str
    name: str
    address: str = ""


@dataclass(frozen=True)
class PlaceUse:
    """Something held in a bookable place (an event in a room), as another
    plugin reports it through the ``place_uses`` hook: ``start`` and ``end``
    aware, ``url`` where a visitor reads more (may be "")."""

    title: str
    start: datetime
    end: datetime
    url: str = ""


@dataclass(frozen=True)
class PlaceBooking:
    """A booking that holds a bookable place, as the premises plugin reports
    it through the ``place_bookings`` hook: ``start`` and ``end`` aware;
    ``title`` what the asker may show (the booker's name only when the
    booking is public, else "Upptaget"); ``association`` the slug of the
    member association that booked it ("" for others), so that an event of
    that association may be held in its own booking."""

    title: str
    start: datetime
    end: datetime
    association: str = ""
    #: "confirmed", or "requested" while it waits for staff to approve it ("" if the plugin does not say).
    status: str = ""
    #: The booking's own page, for the association's editors ("" if none).
    url: str = ""


@dataclass(frozen=True)
class PlaceBookingOutcome:
    """The premises plugin's answer to ``book_place``: ``problems`` are
    Swedish sentences (already translated) saying why the place cannot be
    booked at those times, and nothing was saved; without problems the
    bookings were saved (``saved``), or would be on a dry run. ``status``
    is what they get: "confirmed", or "requested" (waiting for staff);
    ``url`` the first booking's page ("" on a dry run)."""

    problems: tuple[str, ...] = ()
    status: str = ""
    saved: bool = False
    url: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems
