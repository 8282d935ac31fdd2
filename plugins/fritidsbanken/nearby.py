""" "Lånbart i närheten": what neighbouring sites' Fritidsbanker got in lately,
from the federated copies of their "new in the catalogue" feeds.

Federation fetches, sanitizes and stores the entries; this page asks for
them (``core.api.received_entries``). A peer that is down still shows its last good
copy, with how old that copy is.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from core.api import EntrySource, ReceivedEntry, received_entries
from plugins.fritidsbanken.federated import KIND
from plugins.fritidsbanken.web import render, site_of

LIMIT = 60


def nearby(request: Request) -> Response:
    site = site_of(request)
    with site.session() as db:
        entries = received_entries(site, db, KIND, limit=LIMIT)
    groups: dict[int, tuple[EntrySource, list[ReceivedEntry]]] = {}
    for entry in entries:
        groups.setdefault(entry.source.id, (entry.source, []))[1].append(entry)
    return render(request, "fritidsbanken/nearby.html", {"groups": list(groups.values())})
