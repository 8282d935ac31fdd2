"""From fetched bytes to entries.

feedparser reads the entries (it copes with every dialect of RSS and Atom
that outside feeds use) and is only ever given bytes, with its own
sanitizer off because ours (``clean``) runs on everything anyway. What
feedparser does not expose is read with defusedxml's ElementTree, which
refuses entity declarations (billion laughs) and external entities: RFC 6721
tombstones (feedparser keeps only the last one), RFC 5005 ``fh:complete`` /
``fh:archive`` and archive links, and the Paraply namespace's fields.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import feedparser
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from federation import NS
from federation.feedext import AT_NS, ATOM_NS, FH_NS

MAX_ENTRIES = 1000


class FeedError(Exception):
    """A document we cannot use; ``str(exc)`` is for the admin, in Swedish."""


@dataclass
class ParsedEntry:
    id: str
    title: str
    link: str
    summary: str
    content: str
    author: str
    categories: list[str]
    published: datetime | None
    updated: datetime | None
    fields: dict[str, str] = field(default_factory=dict)


@dataclass
class ParsedFeed:
    title: str = ""
    entries: list[ParsedEntry] = field(default_factory=list)
    tombstones: list[tuple[str, datetime | None]] = field(default_factory=list)
    complete: bool = False
    archive: bool = False
    kind: str = ""
    links: dict[str, str] = field(default_factory=dict)


def _when(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _iso(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _channel(root: Element) -> Element:
    if root.tag == "rss":
        channel = root.find("channel")
        if channel is not None:
            return channel
    return root


def _entry_nodes(root: Element) -> list[Element]:
    if root.tag == f"{{{ATOM_NS}}}feed":
        return root.findall(f"{{{ATOM_NS}}}entry")
    return _channel(root).findall("item")


def _entry_id(node: Element) -> str:
    return (node.findtext(f"{{{ATOM_NS}}}id") or node.findtext("guid") or "").strip()


def structure(body: bytes) -> tuple[Element | None, str]:
    """The document as a tree, or None with the reason it is not well-formed.
    Entity declarations are refused outright."""
    try:
        return fromstring(body, forbid_dtd=False, forbid_entities=True, forbid_external=True), ""
    except DefusedXmlException as exc:
        raise FeedError(
            "Flödet innehåller XML-entiteter eller externa referenser (till exempel en ”billion laughs”-attack) "
            "och lästes inte."
        ) from exc
    except (ParseError, ValueError) as exc:
        return None, str(exc)


def parse(body: bytes, url: str = "", content_type: str = "") -> ParsedFeed:
    """Parse a feed document; raises ``FeedError`` for something that is
    not a feed at all or carries entity tricks."""
    if not body.strip():
        raise FeedError("Svaret var tomt.")
    root, problem = structure(body)
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False, response_headers=headers)
    if root is None and not parsed.entries:
        raise FeedError(f"Svaret var inget läsbart Atom- eller RSS-flöde ({problem[:120]}).")
    if root is not None and root.tag not in (f"{{{ATOM_NS}}}feed", "rss") and not parsed.entries:
        raise FeedError("Svaret var XML men inget Atom- eller RSS-flöde.")

    feed = ParsedFeed(title=str(parsed.feed.get("title", "")))
    fields_by_id: dict[str, dict[str, str]] = {}
    dates_by_id: dict[str, tuple[datetime | None, datetime | None]] = {}
    dates_in_order: list[tuple[datetime | None, datetime | None]] = []
    if root is not None:
        head = _channel(root)
        feed.kind = (head.findtext(f"{{{NS}}}kind") or "").strip()
        feed.complete = head.find(f"{{{FH_NS}}}complete") is not None
        feed.archive = head.find(f"{{{FH_NS}}}archive") is not None
        for link in head.findall(f"{{{ATOM_NS}}}link"):
            rel, href = (link.get("rel") or "alternate").lower(), link.get("href") or ""
            if href:
                feed.links.setdefault(rel, href)
        for node in head.findall(f"{{{AT_NS}}}deleted-entry"):
            ref = (node.get("ref") or "").strip()
            if ref:
                feed.tombstones.append((ref, _iso(node.get("when"))))
        for node in _entry_nodes(root)[:MAX_ENTRIES]:
            entry_id = _entry_id(node)
            values = {f.get("name") or "": (f.text or "") for f in node.findall(f"{{{NS}}}field")}
            if values:
                fields_by_id[entry_id] = values
            # feedparser's dates have whole seconds; Atom's may be finer, and an
            # edit made in the same second as the original must still count.
            dates = (_iso(node.findtext(f"{{{ATOM_NS}}}published")), _iso(node.findtext(f"{{{ATOM_NS}}}updated")))
            dates_by_id[entry_id] = dates
            dates_in_order.append(dates)

    in_step = len(dates_in_order) == len(parsed.entries[:MAX_ENTRIES])
    for position, e in enumerate(parsed.entries[:MAX_ENTRIES]):
        entry_id = str(e.get("id") or "").strip()
        precise = dates_in_order[position] if in_step else dates_by_id.get(entry_id, (None, None))
        content = ""
        if e.get("content"):
            content = str(e.content[0].get("value", ""))
        feed.entries.append(
            ParsedEntry(
                id=entry_id,
                title=str(e.get("title", "")),
                link=str(e.get("link", "")),
                summary=str(e.get("summary", "")),
                content=content,
                author=str(e.get("author", "")),
                categories=[str(t.get("term", "")) for t in e.get("tags", []) if t.get("term")],
                published=precise[0] or _when(e.get("published_parsed")),
                updated=precise[1] or _when(e.get("updated_parsed")),
                fields=fields_by_id.get(entry_id, {}),
            )
        )
    return feed
