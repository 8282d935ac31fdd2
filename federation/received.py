"""Federation's answers to plugins that show what peers sent
(``received_entries`` hook) or serve a kind's feed at their own address
(``feed_document`` hook). Plugins get frozen copies, never the rows, so
federation's tables stay its own."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from sqlalchemy import ColumnElement, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select
from starlette.requests import Request
from starlette.responses import Response

from core.api import EntrySource, ReceivedEntry, Site, match
from federation.kinds import kinds_for, tag_authority
from federation.models import Entry, Peer
from federation.publish import feed_response
from federation.views import age


def _origin(url: str) -> str:
    parts = urlsplit(url.strip())
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def own_id_prefixes(site: Site) -> tuple[str, ...]:
    """``tag:<authority>,`` of every authority this site's own entry ids use
    (``[federation] tag_authority`` and each kind's feed id), any year."""
    authorities = {tag_authority(site)}
    for kind in kinds_for(site).values():
        if kind.feed_id.startswith("tag:") and "," in kind.feed_id:
            authorities.add(kind.feed_id[4:].split(",", 1)[0])
    return tuple(sorted(f"tag:{authority}," for authority in authorities if authority))


def _not_ours(site: Site, session: Session) -> list[ColumnElement[bool]]:
    """Conditions that keep the site's own items out of what its peers sent:
    a site is never its own neighbour. Ingest refuses our ids echoed back,
    but rows stored earlier (another base URL or port, a peer row left from
    an old site.toml, a copy of the site itself joined as a neighbour) could
    still show the site's own items "Hos <the site>", linking to an address
    that is no longer it. Three marks: the entry id is one of ours (its tag
    authority), the peer's address is our own origin, or, from a Paraply
    peer, the entry links to our own origin (an external feed, such as a
    blog on the site's own domain, may do that)."""
    conditions: list[ColumnElement[bool]] = [
        ~col(Entry.entry_id).startswith(prefix, autoescape=True) for prefix in own_id_prefixes(site)
    ]
    origin = _origin(site.base_url)
    if not origin:
        return conditions
    ourselves = [
        peer_id
        for peer_id, url in session.exec(select(Peer.id, Peer.url).where(col(Peer.external).is_(False))).all()
        if _origin(url) == origin
    ]
    if ourselves:
        conditions.append(col(Entry.peer_id).not_in(ourselves))
    links_home = or_(col(Entry.link) == origin, col(Entry.link).startswith(origin + "/", autoescape=True))
    conditions.append(or_(col(Peer.external).is_(True), ~links_home))
    return conditions


def received_entries(site: Site, session: Session, kind: str, query: str, limit: int) -> list[ReceivedEntry]:
    statement = (
        select(Entry, Peer)
        .join(Peer, col(Peer.id) == col(Entry.peer_id))
        .where(Entry.kind == kind, col(Entry.deleted_at).is_(None), *_not_ours(site, session))
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
