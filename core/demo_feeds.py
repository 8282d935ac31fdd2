"""Stand-ins for the outside feeds the demo sites subscribe to.

The demo has no internet, so an ``[[federation.external]]`` feed on a loopback
address (Möckeln's Forum feed at ``http://127.0.0.1:8009/forum.atom``) is
served locally from a file in the subscribing site's ``demo/`` folder, named
like the last part of the URL's path (``sites/mockeln/demo/forum.atom``).

It answers the way a well-behaved feed host does, so the federation fetcher
meets the real thing: ``application/atom+xml``, an ``ETag`` (a hash of the
bytes) and a ``Last-Modified`` (the feed's own ``<updated>``), and ``304 Not
Modified`` to a conditional GET that still matches.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from pathlib import Path

    from core.site import Site

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
MEDIA_TYPES = {".atom": "application/atom+xml", ".rss": "application/rss+xml", ".xml": "application/xml"}
#: The feed-level <updated>: the first one in the document, before any <entry>.
FEED_UPDATED = re.compile(rb"<updated>([^<]+)</updated>")


@dataclass(frozen=True)
class StandinFeed:
    """One outside feed the demo serves itself."""

    name: str
    url: str
    file: Path

    @property
    def origin(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def path(self) -> str:
        return urlsplit(self.url).path or "/"


def standin_feeds(site: Site) -> list[StandinFeed]:
    """The site's loopback external feeds that have a file in its ``demo/``."""
    from core.demo import demo_folder

    feeds = []
    for external in site.config.federation.external:
        parts = urlsplit(external.url)
        if parts.hostname not in LOOPBACK:
            continue
        file = demo_folder(site) / PurePosixPath(parts.path).name
        if file.is_file():
            feeds.append(StandinFeed(external.name, external.url, file))
    return feeds


def _last_modified(body: bytes) -> datetime:
    """The feed's own ``<updated>``, to the second; the epoch if it has none."""
    head = body.split(b"<entry", 1)[0]
    match = FEED_UPDATED.search(head)
    if match:
        try:
            stamp = datetime.fromisoformat(match.group(1).decode().strip().replace("Z", "+00:00"))
            return stamp.astimezone(UTC).replace(microsecond=0)
        except ValueError:
            pass
    return datetime(1970, 1, 1, tzinfo=UTC)


def _not_modified(request: Request, etag: str, modified: datetime) -> bool:
    """RFC 9110 section 13.2.2: If-None-Match decides when present, else
    If-Modified-Since."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
        return "*" in tags or etag in tags
    if_modified_since = request.headers.get("if-modified-since")
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return modified <= since
    return False


def feed_endpoint(feed: StandinFeed) -> Callable[[Request], Awaitable[Response]]:
    """An endpoint serving the feed file, read on each request so an edited
    file is served at once (with a new ETag)."""
    media_type = MEDIA_TYPES.get(feed.file.suffix, "application/xml")

    async def endpoint(request: Request) -> Response:
        body = feed.file.read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        modified = _last_modified(body)
        headers = {
            "ETag": etag,
            "Last-Modified": format_datetime(modified, usegmt=True),
            "Cache-Control": "max-age=60",
        }
        if _not_modified(request, etag, modified):
            return Response(status_code=304, headers=headers)
        body_or_none = b"" if request.method == "HEAD" else body
        headers["Content-Length"] = str(len(body))
        return Response(body_or_none, media_type=f"{media_type}; charset=utf-8", headers=headers)

    return endpoint


def feeds_app(feeds: list[StandinFeed]) -> Starlette:
    """One small app per origin, serving each of that origin's feeds."""
    routes = [Route(feed.path, feed_endpoint(feed), methods=["GET", "HEAD"]) for feed in feeds]
    return Starlette(routes=routes)
