""" "Lånbart i närheten": what neighbouring sites' Fritidsbanker got in lately,
from the federated copies of their "new in the catalogue" feeds.

Federation fetches, sanitizes and stores the entries (``federation_entry``);
this page only reads them. A peer that is down still shows its last good
copy, with how old that copy is.
"""

from __future__ import annotations

from sqlmodel import col, select
from starlette.requests import Request
from starlette.responses import Response

from federation.models import Entry, Peer
from federation.views import age
from plugins.fritidsbanken.federated import KIND
from plugins.fritidsbanken.web import render, site_of

LIMIT = 60


def nearby(request: Request) -> Response:
    site = site_of(request)
    with site.session() as db:
        rows = db.exec(
            select(Entry, Peer)
            .join(Peer, col(Peer.id) == col(Entry.peer_id))
            .where(Entry.kind == KIND)
            .order_by(col(Entry.published).desc(), col(Entry.id).desc())
            .limit(LIMIT)
        ).all()
        groups: dict[int, tuple[Peer, str, list[Entry]]] = {}
        for entry, peer in rows:
            assert peer.id is not None
            if peer.id not in groups:
                groups[peer.id] = (peer, age(site, peer.last_success_at), [])
            groups[peer.id][2].append(entry)
    return render(request, "fritidsbanken/nearby.html", {"groups": list(groups.values())})
