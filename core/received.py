"""Items that peer sites published and this site received, as a plugin
shows them ("Hjälp hos grannarna", "Lånbart i närheten").

Federation fetches, sanitizes and stores them; a plugin asks for them
through the ``received_entries`` hook (``core.api.received_entries``) and
gets these frozen copies, so it never reads federation's tables or imports
federation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class EntrySource:
    """The peer an entry came from: ``copied_ago`` says how old this site's
    copy is ("3 timmar", in the page's language; ``""`` if never fetched),
    so a page can show the last good copy of a peer that is down, with its age."""

    id: int
    name: str
    copied_ago: str = ""


@dataclass(frozen=True)
class ReceivedEntry:
    """One received item. ``link`` goes to the origin (http/https or empty),
    ``summary`` is plain text, ``fields`` the kind's structured fields
    (LISA's ``phone``, ``municipality`` ...) as the origin sent them."""

    title: str
    link: str
    summary: str
    author: str
    published: datetime
    source: EntrySource
    fields: Mapping[str, str] = field(default_factory=dict)
