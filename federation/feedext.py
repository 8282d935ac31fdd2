"""feedgen extensions for what feedgen does not write itself.

- Entry level: structured fields in the Paraply namespace,
  ``<p:field name="municipality">Karlskoga</p:field>``, in both formats.
- Feed level: RFC 5005 ``fh:complete`` / ``fh:archive``, the protocol links
  (``hub``, ``prev-archive``, ``next-archive``, ``current``) as ``atom:link``
  (feedgen's RSS writes only ``rel=self``), and RFC 6721 tombstones,
  ``<at:deleted-entry ref="..." when="..."/>``, in both formats.

Set through ``fg.paraply`` and ``fe.paraply`` after ``register(fg)``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from lxml import etree

from federation import NS

ATOM_NS = "http://www.w3.org/2005/Atom"
FH_NS = "http://purl.org/syndication/history/1.0"
AT_NS = "http://purl.org/atompub/tombstones/1.0"
NAME = "paraply"


# feedgen has no types (pyproject.toml), so its extension bases are Any to mypy.
class ParaplyFeed(BaseExtension):  # type: ignore[misc]
    def __init__(self) -> None:
        self.kind = ""
        self.complete = False
        self.archive = False
        self.links: list[tuple[str, str]] = []
        self.tombstones: list[tuple[str, datetime]] = []

    def extend_ns(self) -> dict[str, str]:
        return {"p": NS, "fh": FH_NS, "at": AT_NS, "atom": ATOM_NS}

    def _extend(self, parent: Any, link_tag: str) -> None:
        if self.kind:
            xml_elem(f"{{{NS}}}kind", parent).text = self.kind
        if self.complete:
            xml_elem(f"{{{FH_NS}}}complete", parent)
        if self.archive:
            xml_elem(f"{{{FH_NS}}}archive", parent)
        for rel, href in self.links:
            link = xml_elem(link_tag, parent)
            link.attrib["rel"] = rel
            link.attrib["href"] = href
        for ref, when in self.tombstones:
            node = xml_elem(f"{{{AT_NS}}}deleted-entry", parent)
            node.attrib["ref"] = ref
            node.attrib["when"] = when.isoformat()

    def extend_atom(self, feed: Any) -> Any:
        self._extend(feed, f"{{{ATOM_NS}}}link")
        return feed

    def extend_rss(self, rss: Any) -> Any:
        self._extend(rss.find("channel"), f"{{{ATOM_NS}}}link")
        return rss


class ParaplyEntry(BaseEntryExtension):  # type: ignore[misc]  # likewise
    def __init__(self) -> None:
        self.fields: dict[str, str] = {}

    def extend_ns(self) -> dict[str, str]:
        return {"p": NS}

    def _extend(self, entry: Any) -> Any:
        for name, value in self.fields.items():
            node = xml_elem(f"{{{NS}}}field", entry)
            node.attrib["name"] = name
            node.text = value
        return entry

    def extend_atom(self, entry: Any) -> Any:
        return self._extend(entry)

    def extend_rss(self, item: Any) -> Any:
        return self._extend(item)


def xml_elem(tag: str, parent: Any) -> Any:
    return etree.SubElement(parent, tag)


def register(fg: Any) -> None:
    fg.register_extension(NAME, ParaplyFeed, ParaplyEntry, atom=True, rss=True)
