"""Every hook a Paraply plugin can implement.

A plugin is a module of ``@hookimpl`` functions (``from core import hookimpl``).
Hooks are called with keyword arguments only, and an implementation may accept
any subset of a hook's arguments, so new arguments can be added without breaking
plugins. Hooks are named after what they contribute.

Call order: the site's ``plugins`` list in ``site.toml`` is the order, after
core and the default plugins every site loads (federation; see
``core.plugins``). Hooks that collect lists return the contributions in that
order (core first); for ``firstresult`` hooks the first plugin in the list
that answers wins.

Common arguments: ``site`` is the ``core.site.Site`` being served (its config,
``site.plugin_settings("<name>")``, ``site.prefix("<name>")``); ``request`` is
the current Starlette request (``core.permissions.current_user(request)``
says who is visiting); ``session`` is an open SQLModel session on the site's
database, owned by the caller (do not close it). Any other argument is
explained in its hook's docstring.

Each hook below is documented in this docstring style and has a
``test_hook_<name>`` in ``tests/test_hooks.py``; ``tests/test_hookspecs.py``
fails if either is missing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from datetime import date, datetime

    import click
    from jinja2 import Environment
    from sqlmodel import Session
    from starlette.requests import Request
    from starlette.routing import BaseRoute
    from starlette.types import ASGIApp

    from core.contributions import (
        AssociationRef,
        Block,
        DailyJob,
        Figure,
        NavItem,
        NewsletterItem,
        NoticeKind,
        Place,
        PlaceBooking,
        PlaceBookingOutcome,
        PlaceUse,
        SearchResult,
    )
    from core.federated import FederatedKind
    from core.search_index import SearchKind
    from core.settings import PluginSettings
    from core.site import Site

hookspec = pluggy.HookspecMarker("paraply")


@hookspec
def settings_model() -> type[PluginSettings] | None:
    """Return the pydantic model (a ``core.settings.PluginSettings`` subclass)
    that validates this plugin's ``[plugin.<name>]`` table in ``site.toml``.

    Called once per plugin when a site loads. Unknown keys and wrong types are
    reported with the file, the key and the fix. The validated object is
    available as ``site.plugin_settings("<name>")``. A plugin with no settings
    need not implement this hook; it then gets ``PluginSettings`` (only
    ``prefix``)."""


@hookspec
def routes(site: Site) -> list[BaseRoute] | None:
    """Return the plugin's Starlette routes.

    Core mounts them in one ``Mount`` per plugin under the plugin's URL prefix
    (``prefix`` in its settings, default ``/<name>``), named after the plugin, so
    ``request.url_for("<name>:<route name>")`` finds them. Plugins whose prefix
    is ``/`` are mounted last so they never shadow another plugin."""


@hookspec
def nav_items(site: Site, request: Request) -> list[NavItem] | None:
    """Return links for the site's main navigation (``core.contributions.NavItem``).

    Items are sorted by their ``order`` and then by plugin order. Return only
    what the current visitor may use. The menu is kept per visitor and
    language while nothing on the site changes (core.memo), so the answer
    may depend on who the visitor is and on the database, not on the page."""


@hookspec
def admin_links(site: Site, request: Request) -> list[NavItem] | None:
    """Return links for the admin overview page (``/-/admin``), shown to
    site admins. Use it to make a plugin's admin pages findable."""


@hookspec
def front_page_blocks(site: Site, request: Request, session: Session) -> list[Block] | None:
    """Return blocks for the front page (``core.contributions.Block``: a title, a
    template name and its context, an ``order``). The webportal plugin renders
    them after its own news and featured association.

    A block is the same for every visitor: the front page's content is
    rendered once and kept while nothing on the site changes (core.memo),
    so a block must not depend on who asks, and its template sees no
    ``user``, ``request`` or form token."""


@hookspec
def federated_kinds(site: Site) -> list[FederatedKind] | None:
    """Return the kinds of content this plugin shares with peer sites
    (``core.api.FederatedKind``: a name such as ``news``, a function
    giving the site's own public items as ``FeedItem`` objects, and the table
    they come from).

    Federation publishes each kind as Atom and RSS feeds with archives,
    records deletions of the table's rows as tombstones, pushes changes to
    subscribers and ingests the same kind from peers. Return only what this
    site owns: federated copies are never republished. The first plugin to
    claim a name keeps it."""


@hookspec
def search_results(site: Site, query: str, session: Session, request: Request) -> list[SearchResult] | None:
    """Return results for the site-wide search (``/sok?q=``).

    ``query`` is what the visitor typed, stripped. Return at most a handful of
    ``core.contributions.SearchResult`` per plugin, best first; core groups them by
    plugin."""


@hookspec
def search_kinds(site: Site) -> list[SearchKind] | None:
    """Return the kinds of content this plugin puts in the site's search
    index (``core.api.SearchKind``: a name, shared with the federated kind of
    the same content so peers' copies rank with the site's own; a plural
    label; the model whose rows are indexed and a ``describe(site, row)``
    giving a ``core.api.SearchDocument`` or None when the row is not public).
    Core keeps the index up to date on every flush of those rows, and the
    directory, the site search (``/sok``) and the network pages ask it with
    ``core.api.search``."""


@hookspec
def report_figures(site: Site, session: Session, start: date, end: date) -> list[Figure] | None:
    """Return figures for the site's follow-up report between the dates
    ``start`` and ``end`` (inclusive), as ``core.contributions.Figure`` (label, value,
    unit). The umbrella uses the report for the municipality's review of the
    partnership (IOP)."""


@hookspec
def daily_jobs(site: Site) -> list[DailyJob] | None:
    """Return the work the plugin needs done once a day, as
    ``core.contributions.DailyJob``: reminders that go out the day before,
    personal data deleted when its date has passed. The site runs each job
    once per day in its own time zone, from 03:00 (or when it starts, if the
    day's run is missing), in one worker only; a job must be safe to run
    again the next day and should do nothing twice."""


@hookspec
def starter_content(site: Site, session: Session) -> None:
    """Add what a brand-new site needs before anyone has written anything
    (webportal: the pages Om oss, Kontakt and the accessibility statement).

    Called once, by ``paraply migrate`` on an empty database (a site made by
    ``paraply new-site``); a plugin enabled later does not get it. Leave
    alone what exists; the caller commits."""


@hookspec
def demo_data(site: Site, session: Session) -> None:
    """Load the plugin's demo content into the database.

    Must be idempotent: running ``paraply demo-data`` twice leaves the same
    rows. Called in plugin order, so a plugin may rely on the demo data of
    plugins listed before it."""


@hookspec
def cli_commands() -> list[click.Command] | None:
    """Return extra ``click`` commands for the ``paraply`` CLI.

    Called for every installed plugin (the CLI starts before a site is
    chosen); commands that act on a site take ``--site`` and should refuse a
    site that does not enable the plugin."""


@hookspec
def template_context(site: Site, request: Request) -> dict[str, Any] | None:
    """Return extra variables for every template rendered on the site.

    Keep it cheap: it runs on every page."""


# -- lifecycle -------------------------------------------------------------------------
#
# These let a plugin run beside the requests it serves, the way federation
# runs its poller and WebSub hub, without core knowing the plugin.


@hookspec
def startup(site: Site) -> Awaitable[None] | None:
    """Start the plugin's background work when the site's app starts (the
    ASGI lifespan's start-up), before the first request is served.

    Return nothing, or an awaitable (an ``async def`` implementation's
    coroutine) that the app awaits: implementations run one at a time, core
    first, then in plugin order. Start long-running work as tasks and return
    quickly; an exception stops the server from starting. Not called for an
    app used without its lifespan (a test client that skips it)."""


@hookspec
def shutdown(site: Site) -> Awaitable[None] | None:
    """Stop what ``startup`` started when the site's app stops (the ASGI
    lifespan's shut-down): cancel tasks, close clients, release locks.

    Return nothing or an awaitable, as for ``startup``. Implementations run
    in the reverse of plugin order, so a plugin stops before the ones it was
    started after; one that raises is logged and the others still run. The
    site's database connections are closed after the last one."""


@hookspec
def asgi_wrapper(site: Site) -> Callable[[ASGIApp], ASGIApp] | None:
    """Return a function that wraps the site's ASGI app in middleware (it
    is given the app and returns the app to use), as Datasette's hook of the
    same name.

    Called once when the site's app is built. The wrappers sit outside the
    session, CSRF, user and language middleware and inside Starlette's error
    handling, so they see every request first: the place for endpoints that
    other servers call without cookies or CSRF tokens (federation's WebSub
    hub and callbacks). Core's wrapper, if any, is outermost, then the
    plugins' in plugin order. Pass on what you do not handle, lifespan
    messages included."""


@hookspec
def prepare_jinja2_environment(site: Site, env: Environment) -> None:
    """Change the site's Jinja2 environment ``env``: add filters, tests or
    globals the plugin's templates use (as Datasette's hook of the same name).

    Called once, when the site's templates are first needed, after core has
    set up its own filters (``date``, ``datetime``, ``number``,
    ``translate``, ``markdown``) and globals, and before any template is
    loaded. A plugin's templates and translations need no hook: they are
    found by convention in its ``templates/`` and ``locale/`` folders."""


# -- iface: what one plugin asks another (issue 12) ------------------------------------------------

if TYPE_CHECKING:
    from starlette.responses import Response

    from core.received import ReceivedEntry


@hookspec(firstresult=True)
def member_page_url(site: Site, session: Session, slug: str) -> str | None:
    """Return the address of the public page of the member association whose
    slug is ``slug``, or ``None`` when this plugin shows no such page (no
    such association, or one not listed publicly).

    The plugin that keeps the member directory (webportal) answers, so that
    another plugin can link to a member's page without importing it: LISA
    links an organisation to its association. On a site without such a
    plugin nobody answers, and the caller shows no link. ``firstresult``:
    the first plugin in site order that answers wins. Plugins ask through
    ``core.api.member_page_url``."""


@hookspec(firstresult=True)
def received_entries(site: Site, session: Session, kind: str, query: str, limit: int) -> list[ReceivedEntry] | None:
    """Return the entries of the federated kind ``kind`` that this site has
    received from its peers and that are not deleted, newest first, as
    ``core.received.ReceivedEntry`` copies; only those whose words match
    ``query`` when it is not empty; at most ``limit`` of them (0: all).

    Federation answers; a plugin asks through ``core.api.received_entries``
    and shows its peers' items (LISA's "Hjälp hos grannarna") without
    reading federation's tables. ``firstresult``: one answer is enough."""


@hookspec(firstresult=True)
def received_stamp(site: Site, session: Session, kind: str) -> str | None:
    """Return a short text that changes whenever what ``received_entries``
    gives for the federated kind ``kind`` changes: an entry arriving, being
    replaced, deleted or brought back, or a peer being renamed or removed
    (not a peer's health: ``copied_ago`` is left out). Read from the
    database, so every worker process of a site sees the same stamp.

    Federation answers; a plugin that keeps what it built from received
    entries (parsed peer events) asks through ``core.api.received_stamp``
    and builds again only when the stamp differs. ``firstresult``."""


@hookspec(firstresult=True)
def feed_document(request: Request, kind: str, fmt: str, self_path: str) -> Response | None:
    """Return the current feed document of this site's federated kind
    ``kind`` in the format ``fmt`` (``"atom"`` or ``"rss"``), answering
    conditional GET, with ``self_path`` as the feed's own address (``""``:
    federation's address for it).

    Federation answers; a plugin that serves a kind's feed at an address of
    its own (webportal's ``/nyheter.atom``) asks through
    ``core.api.feed_response``. ``firstresult``: one answer is enough."""


# -- accounts: each person's own data (issue 13, GDPR articles 15, 17 and 20) -------------------

if TYPE_CHECKING:
    from core.models import User


@hookspec
def own_data(site: Site, session: Session, user: User) -> dict[str, list[dict[str, Any]]] | None:
    """Return what this plugin holds about the account ``user``, for the
    person's own copy ("Mina uppgifter", and an admin's on request): a dict
    of table names (short, Swedish, e.g. ``"nyheter"``) to rows, each row a
    dict of column to value (text, numbers, booleans, dates, None).

    Core puts each table in the person's zip as JSON and as CSV, under the
    plugin's name. Include what is about the person or written by them;
    leave out other people's personal data held beside it (a referral's
    client, a loan's borrower): give its id and date instead."""


@hookspec
def forget_user(site: Site, session: Session, user: User) -> None:
    """Delete or anonymise what this plugin holds about ``user``, whose
    account is being deleted (by the person, or by an admin on request).

    Called in plugin order, in one transaction, before core deletes the
    account row; do not commit. Content the person wrote for an association
    or the umbrella stays with it, with the authorship removed (set the
    author column to None); links that only gave the account a role (an
    editor of an association, staff at a branch) are deleted."""


# -- events (issue 14): what the events plugin asks the member directory and premises ------------------


@hookspec(firstresult=True)
def member_associations(site: Site, session: Session) -> list[AssociationRef] | None:
    """Return every member association listed publicly, by name, as
    ``core.contributions.AssociationRef`` (slug, name, municipality).

    The plugin that keeps the member directory (webportal) answers, so that
    another plugin can offer "filter by association" or show an organiser's
    name without importing it. ``firstresult``. Plugins ask through
    ``core.api.member_associations``."""


@hookspec(firstresult=True)
def editable_associations(site: Site, session: Session, user: Any) -> list[AssociationRef] | None:
    """Return the associations the account ``user`` (a ``core.models.User``)
    may act for: an admin every approved association, an editor the approved
    ones linked to them; none for an inactive account.

    The member directory (webportal) answers. The events plugin lets an
    editor publish events only for these. ``firstresult``. Plugins ask
    through ``core.api.editable_associations``."""


@hookspec(firstresult=True)
def association_editors(site: Site, session: Session, slug: str) -> list[User] | None:
    """Return the active accounts (``core.models.User``) linked as editors to
    the member association ``slug``, by name; ``[]`` for an association
    with none or one the directory does not know.

    The member directory (webportal) answers. The partnership plugin mails
    them an assignment offered to the association. ``firstresult``. Plugins
    ask through ``core.api.association_editors``."""


@hookspec
def association_page_blocks(site: Site, request: Request, session: Session, slug: str) -> list[Block] | None:
    """Return blocks for the public page of the member association ``slug``
    (``core.contributions.Block``), such as its coming events.

    The plugin that draws the association's page (webportal) shows them after
    its own sections, in ``order``, each as a section headed by the block's
    title (an h2; the block's template starts at h3). Plugins that draw such
    a page collect them with ``core.api.association_page_blocks``. Like a
    front-page block, a block is the same for every visitor: the page's
    content is kept while nothing on the site changes (core.memo)."""


@hookspec
def my_associations_sections(
    site: Site, request: Request, session: Session, user: Any, associations: list[AssociationRef]
) -> list[Block] | None:
    """Return sections for the signed-in editor's page "Mina föreningar"
    (``core.contributions.Block``), such as the assignments offered to their
    associations waiting for an answer.

    ``user`` is the signed-in account (a ``core.models.User``) and
    ``associations`` the member associations it is editor for, as
    ``core.contributions.AssociationRef`` (whatever their status); return only
    what concerns those, and nothing (``[]``) when there is nothing to do, so
    the page stays short. The plugin that draws the page (webportal) shows
    them after its own list, in ``order``, each as a section headed by the
    block's title (an h2; the block's template starts at h3, and reads its
    context as ``ctx``). Plugins that draw such a page collect them with
    ``core.api.my_associations_sections``."""


@hookspec
def bookable_places(site: Site, session: Session) -> list[Place] | None:
    """Return the places (rooms) this plugin lets events be held in, as
    ``core.contributions.Place`` (a stable ``ref`` such as ``lokaler:12``,
    a name and an address).

    A premises plugin (Föreningarnas hus) answers; the events plugin offers
    them as a place when an event is written. Plugins ask through
    ``core.api.bookable_places``."""


@hookspec
def place_uses(site: Site, session: Session, ref: str, start: datetime, end: datetime) -> list[PlaceUse] | None:
    """Return what this plugin holds in the place ``ref`` (a ``Place.ref``
    from ``bookable_places``, e.g. ``lokaler:12``) between ``start`` and
    ``end`` (aware UTC), as ``core.contributions.PlaceUse`` (title, start,
    end, url).

    The events plugin answers with the occurrences of published events held
    in that room, so the premises plugin's calendar of the room shows them.
    Plugins ask through ``core.api.place_uses``."""


@hookspec
def place_bookings(site: Site, session: Session, ref: str, start: datetime, end: datetime) -> list[PlaceBooking] | None:
    """Return the bookings that hold the place ``ref`` (a ``Place.ref`` this
    plugin offered through ``bookable_places``) between ``start`` and ``end``
    (aware UTC), as ``core.contributions.PlaceBooking`` (title, start, end,
    booking association's slug); ``None`` for a ``ref`` that is not yours.

    The premises plugin answers; the events plugin asks before an event is
    put in a room, and refuses a time the room is booked by someone other
    than the event's organisers. Plugins ask through
    ``core.api.place_bookings``."""


@hookspec(firstresult=True)
def book_place(
    site: Site,
    ref: str,
    spans: list[tuple[datetime, datetime]],
    association: AssociationRef,
    title: str,
    user: User,
    dry_run: bool,
) -> PlaceBookingOutcome | None:
    """Book the place ``ref`` (one this plugin offered through
    ``bookable_places``) for the member association ``association`` at each
    of ``spans`` (aware start and end), titled ``title``, on behalf of the
    signed-in ``user``; ``None`` for a ``ref`` that is not yours.

    The premises plugin applies its own rules (who may book, opening hours,
    closed days, length, how far ahead, collisions, approval) and saves all
    the bookings in one transaction or none, with its own confirmation
    mail; with ``dry_run`` it only says whether it would. The events plugin
    asks when an editor ticks "Boka lokalen för evenemanget". Plugins ask
    through ``core.api.book_place``. ``firstresult``."""


# -- hardening (issue 18) -------------------------------------------------------------


@hookspec
def openapi_paths(site: Site) -> dict[str, Any] | None:
    """Return the OpenAPI 3.1 description of the plugin's JSON endpoints:
    ``{"paths": {...}, "schemas": {...}}``, paths as the site serves them
    (with ``site.prefix(plugin)``), schemas referred to as
    ``#/components/schemas/<name>``. Core merges every plugin's into
    ``/-/openapi.json`` (core.openapi)."""


# -- reach (issue 20) -------------------------------------------------------------------


@hookspec
def notice_kinds(site: Site) -> list[NoticeKind] | None:
    """Return the kinds of notification the plugin sends
    (``core.contributions.NoticeKind``: a key ``"<plugin>.<what>"`` and a
    Swedish label marked with ``N_``). Each is on by default and each
    recipient can switch it off, on ``/konto/aviseringar`` or through the
    link in every notice. Send them with ``core.api.notify``, which refuses
    a key no plugin declared."""


@hookspec
def newsletter_items(site: Site, session: Session, start: datetime, end: datetime) -> list[NewsletterItem] | None:
    """Return what the plugin has for a newsletter covering [``start``,
    ``end``) (aware UTC), as ``core.contributions.NewsletterItem``: news
    published in the period, events held in it or soon after. A newsletter
    plugin asks through ``core.api.newsletter_items`` and lets staff pick
    and order them; ``order`` sorts the sections."""
