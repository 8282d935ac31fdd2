"""Federation's answers to plugins that show what peers sent
(``received_entries`` hook) or serve a kind's feed at their own address
(``feed_document`` hook). Plugins get frozen copies, never the rows, so
federation's tables stay its own."""

from __future__ import annotations

import hashlib

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select
from starlette.requests import Request
from starlette.responses import Response

from core.api import EntrySource, ReceivedEntry, Site, match
from federation.models import Entry, Peer
from federation.publish import feed_response
from federation.views import age


def received_entries(site: Site, session: Session, kind: str, query: str, limit: int) -> list[ReceivedEntry]:
    statement = (
        select(Entry, Peer)
        .join(Peer, col(Peer.id) == col(Entry.peer_id))
        .where(Entry.kind == kind, col(Entry.deleted_at).is_(None))
    )
    if query:
        clause = match(col(Entry.search_text), query)
        if clause is not None:
            statement = statement.where(clause)
    statement = statement.order_by(col(Entry.published).desc(), col(Entry.id).desc())
    if limit:
        statement = statement.limit(limit)
    sources: dict[int, EntrySource] = {}
    found = []
    for entry, peer in session.exec(statement).all():
        assert peer.id is not None
        if peer.id not in sources:
            sources[peer.id] = EntrySource(peer.id, peer.name, age(site, peer.last_success_at))
        found.append(
            ReceivedEntry(
                title=entry.title,
                link=entry.link,
                summary=entry.summary,
                author=entry.author,
                published=entry.published,
                source=sources[peer.id],
                fields={str(k): str(v) for k, v in (entry.fields or {}).items()},
            )
        )
    return found


def received_stamp(session: Session, kind: str) -> str:
    """What ``received_entries`` gives for ``kind`` changes only through
    ``ingest``: an insert raises the count and the largest id; a replacement
    sets ``received_at`` to the (microsecond) time of receipt, above every
    earlier one; a deletion, and a replacement that brings a deleted entry
    back, changes the count of deleted rows; a removed peer takes its rows
    (the count) and a renamed one its name (the peers' part). Two aggregate
    queries on indexed columns, cheaper than reading one entry."""
    entries = session.execute(
        sa_select(
            func.count(col(Entry.id)),
            func.max(col(Entry.id)),
            func.max(col(Entry.received_at)),
            func.count(col(Entry.deleted_at)),
            func.max(col(Entry.deleted_at)),
        ).where(col(Entry.kind) == kind)
    ).one()
    peers = session.exec(select(Peer.id, Peer.name).order_by(col(Peer.id))).all()
    text = f"{kind}|{tuple(entries)}|{[tuple(p) for p in peers]}"
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def feed_document(request: Request, kind: str, fmt: str, self_path: str) -> Response:
    return feed_response(request, kind, fmt, self_path or None)
