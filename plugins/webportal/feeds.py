"""The site's own news as an Atom 1.0 feed (RFC 4287) and its RSS 2.0 twin.

Entry ids are tag URIs (RFC 4151) built from the item's database id and the
site's fixed tag authority and year, never from titles or URLs, so an entry
keeps its identity when it is renamed or the site moves. Only news this site
owns is published here; federated copies are never republished.

Every feed answers conditional GET (``conditional_response``): the ETag is a
hash of the body and Last-Modified the newest change, so peers that poll get
a cheap 304. The body must therefore be the same bytes for the same data:
nothing in it may depend on the time of the request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from feedgen.feed import FeedGenerator
from sqlalchemy import func
from sqlmodel import Session, col, select
from starlette.requests import Request
from starlette.responses import Response

from core import __version__
from core.markdown import render_markdown
from core.models import User
from core.site import Site
from plugins.webportal.models import Association, News
from plugins.webportal.news import item_url, published_only, settings_of, site_of, url

FEED_SIZE = 50
#: ``updated`` of a feed with no entries: fixed, so an empty feed has a stable ETag.
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
ATOM_TYPE = "application/atom+xml; charset=utf-8"
RSS_TYPE = "application/rss+xml; charset=utf-8"
CACHE_CONTROL = "public, max-age=60"


# -- identity ------------------------------------------------------------------------------


def tag_authority(site: Site) -> str:
    """``tag_authority`` from the settings, or else the site's host name."""
    return settings_of(site).tag_authority or site.host


def tag_uri(site: Site, specific: str) -> str:
    """``tag:{authority},{year}:{specific}``; authority and year are fixed
    in the settings once feeds are published."""
    return f"tag:{tag_authority(site)},{settings_of(site).tag_year}:{specific}"


def news_tag(site: Site, news_id: int | None) -> str:
    """The permanent id of a news item, in both feeds and in federation."""
    return tag_uri(site, f"news/{news_id}")


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


def conditional_response(request: Request, body: bytes, media_type: str, last_modified: datetime | None) -> Response:
    """A 200 with ``body``, or a 304 without one if the client already has it.

    Sends ``ETag`` (a hash of the body) and, when given, ``Last-Modified``.
    If-None-Match wins over If-Modified-Since when both are sent (RFC 9110
    13.2.2). Reusable for any feed or document a peer polls."""
    etag = etag_for(body)
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if last_modified is not None:
        headers["Last-Modified"] = format_datetime(_aware(last_modified), usegmt=True)
    if_none_match = request.headers.get("if-none-match")
    if_modified_since = request.headers.get("if-modified-since")
    if if_none_match is not None:
        fresh = _etag_matches(if_none_match, etag)
    else:
        fresh = bool(if_modified_since and last_modified and _not_modified_since(if_modified_since, last_modified))
    if fresh:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


# -- the news feed ---------------------------------------------------------------------------


def _entries(session: Session) -> list[tuple[News, Association | None, User | None]]:
    statement = published_only(
        select(News, Association, User)
        .outerjoin(Association, col(News.association_id) == col(Association.id))
        .outerjoin(User, col(News.author_id) == col(User.id))
    )
    rows = session.exec(statement.order_by(col(News.published_at).desc(), col(News.id).desc()).limit(FEED_SIZE)).all()
    return [(n, a, u) for n, a, u in rows]


def last_change(session: Session) -> datetime | None:
    """The newest ``updated_at`` of any of the site's news, drafts included,
    so unpublishing an item also counts as a change for If-Modified-Since.
    (A deleted item leaves no date behind; the ETag still changes, and
    federation's tombstones will carry deletions.)"""
    newest = session.exec(select(func.max(News.updated_at))).one()
    return _aware(newest) if newest is not None else None


def build_news_feed(site: Site, session: Session, self_url: str) -> FeedGenerator:
    """The feed with the newest published news; both formats are rendered from it."""
    entries = _entries(session)
    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)  # RSS authors without e-mail: dc:creator
    fg.id(tag_uri(site, "news"))
    fg.title(f"Nyheter från {site.name}")
    fg.subtitle(site.config.site.description or f"Nyheter från {site.name} och dess medlemsföreningar.")
    fg.link(href=self_url, rel="self")
    # Last: feedgen makes the last link RSS's <link>, which must be the web page.
    fg.link(href=site.absolute_url(url(site, "/nyheter")), rel="alternate", type="text/html")
    fg.language(site.locale)
    fg.author({"name": site.name})
    fg.generator("Paraply", version=__version__)
    fg.updated(max((_aware(n.updated_at) for n, _, _ in entries), default=EPOCH))
    for news, association, author in entries:
        fe = fg.add_entry(order="append")
        fe.id(news_tag(site, news.id))  # also the RSS guid, isPermaLink="false"
        fe.title(news.title)
        fe.link(href=site.absolute_url(item_url(site, news.id)), rel="alternate", type="text/html")
        fe.published(_aware(news.published_at))
        fe.updated(_aware(news.updated_at))
        name = author.name if author is not None else site.name
        fe.author({"name": name})
        fe.dc.dc_creator(name)
        if association is not None:
            fe.category({"term": association.name})
        if news.summary:
            fe.summary(news.summary)
        html = render_markdown(news.body or "")
        if html:
            fe.content(html, type="html")
    return fg


def _feed_response(request: Request, render: Callable[[FeedGenerator], bytes], path: str, media_type: str) -> Response:
    site = site_of(request)
    with site.session() as db:
        fg = build_news_feed(site, db, site.absolute_url(url(site, path)))
        changed = last_change(db)
    return conditional_response(request, render(fg), media_type, changed)


async def news_atom(request: Request) -> Response:
    return _feed_response(request, lambda fg: fg.atom_str(pretty=True), "/nyheter.atom", ATOM_TYPE)


async def news_rss(request: Request) -> Response:
    return _feed_response(request, lambda fg: fg.rss_str(pretty=True), "/nyheter.rss", RSS_TYPE)
