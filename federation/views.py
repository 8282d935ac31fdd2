"""What people see of the network.

- "Nyheter från nätverket" (``/natverket/nyheter``): news from every peer,
  newest first, each with its origin shown and linked, filterable by site.
- "Föreningar i nätverket" (``/natverket/foreningar``): this site's member
  associations and every peer's, searchable and filterable by site.
- The admin page of peer health (``/-/admin/natverket``), in plain words
  (stored in Swedish, shown in the reader's language: ``federation.messages``),
  with a "Hämta nu" button per peer.

Pages only read what the poller stored, so a peer that is down, slow or
hostile never slows or breaks them: its last good copy is shown, marked with
its age when the latest attempt failed or is long overdue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, overload

from babel.dates import format_timedelta
from sqlalchemy import func
from sqlmodel import Session, col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from core.api import (
    BABEL_LOCALES,
    Site,
    current_locale,
    flash,
    page_count,
    page_link,
    page_number,
    read_form,
    require_admin,
    search,
    site_of,
    utcnow,
)
from core.api import gettext as _
from federation import join, messages
from federation.models import Entry, FeedState, Peer, Subscription

PER_PAGE = 20
NEWS = "news"
MEMBERS = "members"
#: A copy is called old when the peer has not answered for this many poll intervals.
STALE_AFTER_POLLS = 3


@overload
def _aware(value: datetime) -> datetime: ...
@overload
def _aware(value: None) -> None: ...
def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def age(site: Site, since: datetime | None, now: datetime | None = None) -> str:
    """ "3 timmar", "2 days": how long ago, in the request's language."""
    if since is None:
        return ""
    delta = (now or utcnow()) - (_aware(since) or utcnow())
    locale = BABEL_LOCALES.get(current_locale.get() or site.locale, BABEL_LOCALES["sv"])
    return format_timedelta(max(delta, timedelta(seconds=1)), locale=locale)


@dataclass(frozen=True)
class Source:
    """A peer as pages show it, with the freshness of its copy."""

    peer: Peer
    stale: bool
    age: str

    @property
    def id(self) -> int:
        return self.peer.id or 0

    @property
    def name(self) -> str:
        return self.peer.name


def sources(site: Site, session: Session, external: bool = False) -> list[Source]:
    """The configured peers (or external feeds), in site.toml order."""
    config = site.config.federation
    urls = [e.url for e in config.external] if external else [p.url for p in config.peers]
    if not external:  # then the peers added from the web (federation.join), by name
        joined = session.exec(select(Peer.url).where(col(Peer.joined).is_(True)).order_by(col(Peer.name))).all()
        urls += [url for url in joined if url not in urls]
    rows = {p.url: p for p in session.exec(select(Peer).where(col(Peer.url).in_(urls))).all()}
    now = utcnow()
    overdue = timedelta(seconds=config.poll_interval * STALE_AFTER_POLLS)
    found = []
    for url in urls:
        peer = rows.get(url)
        if peer is None:
            continue
        success, error = _aware(peer.last_success_at), _aware(peer.last_error_at)
        failing = error is not None and (success is None or error > success)
        stale = failing or (success is not None and now - success > overdue and not _pushing(session, peer, now))
        found.append(Source(peer, stale, age(site, success, now) if success else ""))
    return found


def _pushing(session: Session, peer: Peer, now: datetime) -> bool:
    leases = session.exec(select(FeedState.lease_until).where(FeedState.peer_id == peer.id)).all()
    return bool(leases) and all(lease is not None and _aware(lease) > now for lease in leases)


def _chosen(request: Request, known: dict[str, Any]) -> str:
    value = request.query_params.get("sajt", "")
    return value if value in known else ""


# -- Nyheter från nätverket ----------------------------------------------------------------


def network_news(request: Request) -> Response:
    site = site_of(request)
    with site.session() as db:
        peers = sources(site, db)
        by_id = {str(s.id): s for s in peers}
        chosen = _chosen(request, by_id)
        ids = [int(chosen)] if chosen else [s.id for s in peers]
        where = (Entry.kind == NEWS, col(Entry.deleted_at).is_(None), col(Entry.peer_id).in_(ids))
        total = int(db.exec(select(func.count()).select_from(Entry).where(*where)).one())
        pages = page_count(total, PER_PAGE)
        page = min(page_number(request), pages)
        rows = db.exec(
            select(Entry)
            .where(*where)
            .order_by(col(Entry.published).desc(), col(Entry.id).desc())
            .offset((page - 1) * PER_PAGE)
            .limit(PER_PAGE)
        ).all()
    return site.render(
        request,
        "federation/network_news.html",
        {
            "items": [(row, by_id.get(str(row.peer_id))) for row in rows],
            "peers": peers,
            "stale": [s for s in peers if s.stale and (not chosen or str(s.id) == chosen)],
            "chosen": chosen,
            "total": total,
            "page": page,
            "pages": pages,
            "page_link": page_link("/natverket/nyheter", {"sajt": chosen}),
        },
    )


# -- Föreningar i nätverket ----------------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    name: str
    link: str
    summary: str
    meta: str
    source: str
    source_url: str


def network_members(request: Request) -> Response:
    """This site's associations and every peer's, from the site's search
    index: found, put in Swedish name order and paged in the database."""
    site = site_of(request)
    query = (request.query_params.get("q") or "").strip()[:200]
    with site.session() as db:
        peers = sources(site, db)
        by_id = {str(s.id): s for s in peers}
        options = {"egen": site.name, **{key: s.name for key, s in by_id.items()}}
        chosen = _chosen(request, options)
        if chosen == "egen":
            origins = [0]
        elif chosen:
            origins = [int(chosen)]
        else:
            origins = [0, *(s.id for s in peers)]
        found = search(
            db, query, kinds=[MEMBERS], origins=origins, page=page_number(request), per_page=PER_PAGE, order="name"
        )
    listings = [
        Listing(
            hit.title,
            hit.url,
            hit.summary,
            hit.meta,
            by_id[str(hit.origin)].name if str(hit.origin) in by_id else site.name,
            (hit.origin_url if hit.origin else site.base_url) + "/",
        )
        for hit in found.hits
    ]
    return site.render(
        request,
        "federation/network_members.html",
        {
            "listings": listings,
            "total": found.total,
            "query": query,
            "options": options,
            "chosen": chosen,
            "stale": [s for s in peers if s.stale and (not chosen or str(s.id) == chosen)],
            "page": found.page,
            "pages": found.pages,
            "page_link": page_link("/natverket/foreningar", {"q": query, "sajt": chosen}),
        },
    )


# -- admin: peer health ------------------------------------------------------------------------


@dataclass(frozen=True)
class Health:
    peer: Peer
    ok: bool | None  # None: never tried
    status: str
    feeds: list[FeedState]
    pushing: bool
    #: The last error, message by message, in the reader's language.
    error: list[messages.Part]


def _health(site: Site, session: Session) -> list[Health]:
    now = utcnow()
    found = []
    for source in [*sources(site, session), *sources(site, session, external=True)]:
        peer = source.peer
        success, error = _aware(peer.last_success_at), _aware(peer.last_error_at)
        feeds = list(session.exec(select(FeedState).where(FeedState.peer_id == peer.id)).all())
        if success is None and error is None:
            ok, status = None, _("Inte hämtad ännu.")
        elif error is not None and (success is None or error > success):
            ok, status = False, _("Fel vid senaste försöket (%(count)s i rad).") % {"count": peer.failures}
        else:
            ok, status = True, _("Fungerar.")
        parts = messages.translate(peer.last_error) if peer.last_error else []
        found.append(Health(peer, ok, status, feeds, _pushing(session, peer, now), parts))
    return found


def admin_peers(request: Request) -> Response:
    site = site_of(request)
    require_admin(request)
    with site.session() as db:
        health = _health(site, db)
        subscribers = int(
            db.exec(
                select(func.count()).select_from(Subscription).where(col(Subscription.lease_until) > utcnow())
            ).one()
        )
    return site.render(
        request,
        "federation/admin_peers.html",
        {
            "health": health,
            "subscribers": subscribers,
            "config": site.config.federation,
            "age": lambda when: age(site, when),
            "requests": join.pending(site),
        },
    )


def admin_poll_now(request: Request) -> Response:
    """Make a peer due now (and forget its back-off)."""
    site = site_of(request)
    require_admin(request)
    read_form(request)
    with site.session() as db:
        peer = db.get(Peer, request.path_params["peer_id"])
        if peer is None:
            raise HTTPException(404, _("Grannen finns inte längre i listan. Gå tillbaka till nätverkssidan."))
        peer.next_attempt_at = utcnow()
        peer.failures = 0
        db.add(peer)
        name = peer.name
    from federation.runtime import Federation

    Federation.of(site).wake()
    flash(request, _("%(name)s hämtas nu. Ladda om sidan om en stund för att se resultatet.") % {"name": name})
    return RedirectResponse("/-/admin/natverket", status_code=303)


# -- the external feeds' front-page block ------------------------------------------------------


def external_blocks(site: Site, session: Session) -> list[dict[str, Any]]:
    """One block per external feed: its newest entries and their freshness."""
    config = {e.url: e for e in site.config.federation.external}
    blocks = []
    for source in sources(site, session, external=True):
        wanted = config[source.peer.url]
        rows = session.exec(
            select(Entry)
            .where(Entry.peer_id == source.id, Entry.kind == "external", col(Entry.deleted_at).is_(None))
            .order_by(col(Entry.published).desc(), col(Entry.id).desc())
            .limit(wanted.max_items)
        ).all()
        blocks.append({"source": source, "entries": list(rows)})
    return blocks
