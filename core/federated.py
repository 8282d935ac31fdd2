"""Federated kinds: the content a site shares with its peers.

Plugins return ``FederatedKind`` objects from the ``federated_kinds`` hook
(webportal gives ``news`` and ``members``; lisa and fritidsbanken add their
own), built from ``FeedItem`` objects whose ids are ``tag_authority`` tag
URIs. The types live in core, not in federation, because they are part of
the hook interface every plugin writes to; federation, a plugin itself,
publishes and ingests them. A kind only describes the site's *own* rows,
which is why federated copies can never be republished.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlmodel import Session

    from core.site import Site

KIND_NAME = re.compile(r"^[a-z][a-z0-9-]{0,31}$")


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed, already in published form.

    ``id`` is a permanent tag URI (RFC 4151) that never changes when the item
    is renamed; ``link`` is absolute; ``content_html`` is sanitized HTML;
    ``fields`` are the structured fields that travel in the Paraply XML
    namespace (plain strings; receivers treat them as untrusted text)."""

    id: str
    title: str
    link: str
    published: datetime
    updated: datetime
    summary: str = ""
    content_html: str = ""
    author: str = ""
    categories: tuple[str, ...] = ()
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FederatedKind:
    """A kind of content a site shares with its peers.

    - ``name``: lower-case letters, digits and '-', used in URLs and in the
      Paraply namespace (``news``, ``members``, ``events``).
    - ``title``: Swedish, for people ("Nyheter", "Föreningar").
    - ``feed_id``: the feed's own tag URI.
    - ``items(session)``: every public item, newest first (by ``published``).
    - ``model``, ``ref_of(row)``, ``is_public(row)``: the table whose rows are
      the items, the tag URI of a row, and whether a row is in the feed now.
      Federation watches that table: a deleted or hidden row becomes an
      RFC 6721 tombstone, and any change pushes the feed to subscribers.
    - ``complete``: every document holds the whole set (RFC 5005
      ``fh:complete``), so receivers replace the sender's listing; used for
      member listings. Otherwise the feed pages into archives.
    """

    name: str
    title: str
    feed_id: str
    items: Callable[[Session], list[FeedItem]]
    model: type[Any] | None = None
    ref_of: Callable[[Any], str | None] | None = None
    is_public: Callable[[Any], bool] | None = None
    complete: bool = False
    page_size: int = 50
    description: str = ""
    #: The web page that lists the items (the feeds' ``alternate`` link).
    page_path: str = "/"
    #: Other paths where the plugin serves the current document, by format
    #: (``{"atom": "/nyheter.atom"}``); the hub accepts them as topics.
    aliases: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not KIND_NAME.match(self.name):
            raise ValueError(f"federated kind name {self.name!r}: use lower-case letters, digits and '-'")


def tag_authority(site: Site) -> str:
    """``[federation] tag_authority``, or else the host of ``base_url``.

    A host that is an IP address or ``localhost`` names no one (several
    demo sites share 127.0.0.1, and their ids must differ), so such a site
    gets ``<slug>.localhost``. Set ``tag_authority`` before publishing:
    it must never change afterwards."""
    if site.config.federation.tag_authority:
        return site.config.federation.tag_authority
    host = site.host
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if host != "localhost" and not host.endswith(".localhost"):
            return host
    return f"{site.slug}.localhost"
