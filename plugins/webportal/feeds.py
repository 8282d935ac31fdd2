"""The site's own news as an Atom 1.0 feed (RFC 4287) and its RSS 2.0 twin,
at ``/nyheter.atom`` and ``/nyheter.rss``.

They are the ``news`` kind that webportal shares with peer sites
(``plugins.webportal.federated``), rendered by federation's publisher (``core.api.feed_response``), so
people's feed readers and peers read the same document: permanent tag-URI
ids, conditional GET, ``rel=hub`` for push, tombstones for deleted items.
Only news this site owns is published; federated copies never are.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from core.api import (
    feed_response,
    url_for,
)
from plugins.webportal.federated import news_tag, tag_authority, tag_uri
from plugins.webportal.news import site_of

__all__ = ["news_atom", "news_rss", "news_tag", "tag_authority", "tag_uri"]


def news_atom(request: Request) -> Response:
    return feed_response(request, "news", "atom", url_for(site_of(request), "webportal:news_atom"))


def news_rss(request: Request) -> Response:
    return feed_response(request, "news", "rss", url_for(site_of(request), "webportal:news_rss"))
