"""Publishing each federated kind as Atom 1.0 (RFC 4287) and RSS 2.0.

Documents, per kind, at ``/-/federation/<kind>.atom`` and ``.rss``:

- The *current* document holds the newest ``page_size`` items, the kind's
  tombstones (RFC 6721) and, when older items exist, a ``prev-archive`` link.
- *Archive* documents (RFC 5005 ``fh:archive``), ``/-/federation/<kind>/arkiv/<n>.atom``,
  hold fixed pages of older items, oldest page first; only full pages are
  archived, so an archive page does not change when news is added. A new
  peer walks ``prev-archive`` links back to backfill.
- A *complete* kind (members) puts every item in the current document with
  ``fh:complete`` and has no archives: receivers replace their copy.

Every document carries ``rel=self`` and ``rel=hub`` and answers conditional
GET (``conditional_response``): the ETag is a hash of the body, so the body
must be the same bytes for the same data, and Last-Modified is the newest
change, tombstones included.
"""

from __future__ import annotations

import hashlib
import html
import threading
import time
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from feedgen.feed import FeedGenerator
from sqlmodel import Session, col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from core.api import MAX_ID, PARAPLY_VERSION, Site, parse_int, site_content_version
from core.api import gettext as _
from federation import feedext
from federation.kinds import FederatedKind, FeedItem, kinds_for
from federation.models import Tombstone

#: ``updated`` of a feed with no entries: fixed, so an empty feed has a stable ETag.
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
ATOM_TYPE = "application/atom+xml; charset=utf-8"
RSS_TYPE = "application/rss+xml; charset=utf-8"
MEDIA_TYPES = {"atom": ATOM_TYPE, "rss": RSS_TYPE}
CACHE_CONTROL = "public, max-age=60"
#: Tombstones older than the newest this many are no longer published.
MAX_TOMBSTONES = 500
PREFIX = "/-/federation"
HUB_PATH = "/-/websub"


# -- URLs ----------------------------------------------------------------------------------


def feed_path(kind: str, fmt: str, page: int | None = None) -> str:
    if page is None:
        return f"{PREFIX}/{kind}.{fmt}"
    return f"{PREFIX}/{kind}/arkiv/{page}.{fmt}"


def feed_url(site: Site, kind: str, fmt: str, page: int | None = None) -> str:
    return site.absolute_url(feed_path(kind, fmt, page))


def hub_url(site: Site) -> str:
    return site.absolute_url(HUB_PATH)


@dataclass(frozen=True)
class Topic:
    """A current document subscribers can follow: its kind, format and path."""

    kind: str
    fmt: str
    path: str


def topics(site: Site) -> dict[str, Topic]:
    """Every URL the hub accepts as ``hub.topic``: each kind's current
    documents, plus the plugin's own aliases of them (``/nyheter.atom``)."""
    found: dict[str, Topic] = {}
    for kind in kinds_for(site).values():
        for fmt in ("atom", "rss"):
            path = feed_path(kind.name, fmt)
            found[site.absolute_url(path)] = Topic(kind.name, fmt, path)
        for fmt, path in aliases(kind).items():
            found[site.absolute_url(path)] = Topic(kind.name, fmt, path)
    return found


def aliases(kind: FederatedKind) -> dict[str, str]:
    return dict(kind.aliases)


# -- conditional GET -------------------------------------------------------------------------


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def etag_for(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _etag_matches(header: str, etag: str) -> bool:
    """If-None-Match uses the weak comparison (RFC 9110 13.1.2)."""
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or etag in tags


def _not_modified_since(header: str, last_modified: datetime) -> bool:
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    # HTTP dates have whole seconds; compare at that resolution.
    return _aware(last_modified).replace(microsecond=0) <= since


def conditional_response(
    request: Request,
    body: bytes,
    media_type: str,
    last_modified: datetime | None,
    links: list[tuple[str, str]] | None = None,
) -> Response:
    """A 200 with ``body``, or a 304 without one if the client already has it.

    Sends ``ETag`` (a hash of the body), ``Last-Modified`` when given, and
    ``Link`` headers (``rel=hub``/``rel=self`` for WebSub discovery).
    If-None-Match wins over If-Modified-Since when both are sent (RFC 9110
    13.2.2)."""
    etag = etag_for(body)
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if last_modified is not None:
        headers["Last-Modified"] = format_datetime(_aware(last_modified), usegmt=True)
    if links:
        headers["Link"] = ", ".join(f'<{href}>; rel="{rel}"' for rel, href in links)
    if_none_match = request.headers.get("if-none-match")
    if_modified_since = request.headers.get("if-modified-since")
    if if_none_match is not None:
        fresh = _etag_matches(if_none_match, etag)
    else:
        fresh = bool(if_modified_since and last_modified and _not_modified_since(if_modified_since, last_modified))
    if fresh:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


# -- documents ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    body: bytes
    media_type: str
    last_modified: datetime | None
    self_url: str
    hub: str


def tombstones(session: Session, kind: str, exclude: set[str]) -> list[Tombstone]:
    rows = session.exec(
        select(Tombstone)
        .where(Tombstone.kind == kind)
        .order_by(col(Tombstone.deleted_at).desc(), col(Tombstone.id).desc())
        .limit(MAX_TOMBSTONES)
    ).all()
    return [t for t in rows if t.ref not in exclude]


def archive_count(kind: FederatedKind, total: int) -> int:
    """Full archive pages for ``total`` items (complete kinds have none)."""
    return 0 if kind.complete else total // kind.page_size


def page_items(kind: FederatedKind, items: list[FeedItem], page: int | None) -> list[FeedItem]:
    """The items of the current document (``page`` None) or of archive page
    ``page`` (1 is the oldest), newest first within the document."""
    if kind.complete:
        return items
    if page is None:
        return items[: kind.page_size]
    oldest_first = items[::-1]
    chunk = oldest_first[(page - 1) * kind.page_size : page * kind.page_size]
    return chunk[::-1]


def build(site: Site, session: Session, kind: FederatedKind, fmt: str, page: int | None, self_url: str) -> Document:
    """Render one document of ``kind``; raises 404 for an archive page that
    does not exist."""
    items = kind.items(session)
    archives = archive_count(kind, len(items))
    if page is not None and not 1 <= page <= archives:
        raise HTTPException(404, _("Det finns ingen sådan arkivsida för flödet."))
    shown = page_items(kind, items, page)
    graves = tombstones(session, kind.name, {i.id for i in items}) if page is None else []

    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)  # RSS authors without e-mail: dc:creator
    feedext.register(fg)
    fg.id(kind.feed_id if page is None else f"{kind.feed_id}/archive/{page}")
    title = f"{kind.title} från {site.name}"
    fg.title(title if page is None else f"{title} (arkiv {page})")
    fg.subtitle(kind.description or f"{kind.title} från {site.name}.")
    fg.link(href=self_url, rel="self")
    # Last: feedgen makes the last link RSS's <link>, which must be a web page.
    fg.link(href=site.absolute_url(kind.page_path), rel="alternate", type="text/html")
    fg.language(site.locale)
    fg.author({"name": site.name})
    fg.generator("Paraply", version=PARAPLY_VERSION)
    newest = [_aware(i.updated) for i in shown] + [_aware(t.deleted_at) for t in graves]
    fg.updated(max(newest, default=EPOCH))

    ext = fg.paraply
    ext.kind = kind.name
    ext.complete = kind.complete
    ext.archive = page is not None
    ext.links = [("hub", hub_url(site))]
    current = feed_url(site, kind.name, fmt)
    if page is None:
        if archives:
            ext.links.append(("prev-archive", feed_url(site, kind.name, fmt, archives)))
    else:
        ext.links.append(("current", current))
        if page > 1:
            ext.links.append(("prev-archive", feed_url(site, kind.name, fmt, page - 1)))
        following = feed_url(site, kind.name, fmt, page + 1) if page < archives else current
        ext.links.append(("next-archive", following))
    ext.tombstones = [(t.ref, _aware(t.deleted_at)) for t in graves]

    for item in shown:
        add_entry(fg, item, fmt)
    body = fg.atom_str(pretty=True) if fmt == "atom" else fg.rss_str(pretty=True)
    changed = max(newest) if newest else None
    return Document(body, MEDIA_TYPES[fmt], changed, self_url, hub_url(site))


def add_entry(fg: FeedGenerator, item: FeedItem, fmt: str = "atom") -> None:
    """One item as an entry. The summary is plain text: Atom says so
    (``type="text"``), but RSS has no type and readers show ``<description>``
    as HTML, so in RSS the text is HTML-escaped once more: after the XML
    escape is undone, a reader gets ``&lt;script&gt;``, text, never a tag."""
    fe = fg.add_entry(order="append")
    fe.id(item.id)  # also the RSS guid, isPermaLink="false"
    fe.title(item.title)
    fe.link(href=item.link, rel="alternate", type="text/html")
    fe.published(_aware(item.published))
    fe.updated(_aware(item.updated))
    if item.author:
        fe.author({"name": item.author})
        fe.dc.dc_creator(item.author)
    for term in item.categories:
        fe.category({"term": term})
    if item.summary:
        fe.summary(html.escape(item.summary, quote=False) if fmt == "rss" else item.summary)
    if item.content_html:
        fe.content(item.content_html, type="html")
    fe.paraply.fields = dict(item.fields)


def render(site: Site, kind_name: str, fmt: str, page: int | None = None, self_path: str | None = None) -> Document:
    """A document by kind name, in its own session (also used by the hub).
    Current documents come from the site's ``DocumentCache``."""
    kind = kinds_for(site).get(kind_name)
    if kind is None or fmt not in MEDIA_TYPES:
        raise HTTPException(404, _("Det finns inget sådant flöde på den här webbplatsen."))
    self_url = site.absolute_url(self_path) if self_path else feed_url(site, kind_name, fmt, page)
    if page is not None:
        with site.session() as db:
            return build(site, db, kind, fmt, page, self_url)
    cache = DocumentCache.of(site)
    key = (kind_name, fmt, self_url)
    # Read before rendering: a change another worker commits meanwhile
    # moves the version on, so the document is never kept under a newer one.
    content = site_content_version(site)
    found, generation = cache.get(key, content)
    if found is not None:
        return found
    with site.session() as db:
        document = build(site, db, kind, fmt, None, self_url)
    cache.put(key, document, generation, content)
    return document


def cached(site: Site, kind_name: str, fmt: str, self_path: str | None = None) -> Document | None:
    """The current document if it is in the cache (no database, no thread
    needed: the hub's workers try this first)."""
    self_url = site.absolute_url(self_path) if self_path else feed_url(site, kind_name, fmt)
    return DocumentCache.of(site).get((kind_name, fmt, self_url))[0]


def version(site: Site, kind_name: str) -> str:
    """The ETag of a kind's current Atom document: ``/.well-known/paraply``
    lists it per kind, so a peer can tell from that one (conditional)
    request which feeds changed since it last fetched them."""
    return etag_for(render(site, kind_name, "atom").body)


class DocumentCache:
    """A site's current documents, so the 304s of a re-sync, the discovery
    versions and a hub's fan-out do not each render the feed again.

    ``invalidate`` runs after every commit that changes a kind (``changes``
    calls the runtime, which calls it), before the hub renders. A document
    rendered while a change commits is not kept (the generation moved on).
    Entries also expire after ``MAX_AGE`` seconds, the feeds' advertised
    ``max-age``; and a document rendered under another content version
    (core's ``site_content_version``: a change committed by another worker
    or machine) is rendered anew."""

    MAX_AGE = 60.0
    _by_site: weakref.WeakKeyDictionary[Site, DocumentCache] = weakref.WeakKeyDictionary()

    def __init__(self) -> None:
        self.documents: dict[tuple[str, str, str], tuple[Document, float, int | None]] = {}
        self.generations: dict[str, int] = {}
        self.lock = threading.Lock()

    @classmethod
    def of(cls, site: Site) -> DocumentCache:
        found = cls._by_site.get(site)
        if found is None:
            found = cls._by_site.setdefault(site, cls())
        return found

    def get(self, key: tuple[str, str, str], content: int | None = None) -> tuple[Document | None, int]:
        """The kept document, unless it is older than ``MAX_AGE`` or was
        rendered under another content version than ``content`` (when given)."""
        with self.lock:
            generation = self.generations.get(key[0], 0)
            entry = self.documents.get(key)
        if entry is not None and time.monotonic() - entry[1] < self.MAX_AGE:
            if content is None or entry[2] == content:
                return entry[0], generation
        return None, generation

    def put(self, key: tuple[str, str, str], document: Document, generation: int, content: int | None = None) -> None:
        with self.lock:
            if self.generations.get(key[0], 0) == generation:
                self.documents[key] = (document, time.monotonic(), content)

    def invalidate(self, kinds: set[str]) -> None:
        with self.lock:
            for kind in kinds:
                self.generations[kind] = self.generations.get(kind, 0) + 1
            for key in [k for k in self.documents if k[0] in kinds]:
                del self.documents[key]


def respond(request: Request, document: Document) -> Response:
    return conditional_response(
        request,
        document.body,
        document.media_type,
        document.last_modified,
        links=[("hub", document.hub), ("self", document.self_url)],
    )


def feed_response(request: Request, kind_name: str, fmt: str, self_path: str | None = None) -> Response:
    """The current document of a kind; plugins serve their aliases with it
    (webportal's ``/nyheter.atom``)."""
    site: Site = request.app.state.site
    return respond(request, render(site, kind_name, fmt, None, self_path))


# -- routes ------------------------------------------------------------------------------------


def _split(name: str) -> tuple[str, str]:
    stem, _dot, fmt = name.rpartition(".")
    if not stem or fmt not in MEDIA_TYPES:
        raise HTTPException(404, _("Det finns inget sådant flöde. Flöden slutar på .atom eller .rss."))
    return stem, fmt


def current_feed(request: Request) -> Response:
    kind, fmt = _split(request.path_params["name"])
    return feed_response(request, kind, fmt)


def archive_feed(request: Request) -> Response:
    site: Site = request.app.state.site
    page_text, fmt = _split(request.path_params["page"])
    page = parse_int(page_text, minimum=0, maximum=MAX_ID)
    if page is None or not page_text.isdigit():
        raise HTTPException(404, _("Det finns ingen sådan arkivsida för flödet."))
    return respond(request, render(site, request.path_params["kind"], fmt, page))
