"""Writing received entries as federated copies.

Per peer and kind, an entry is known by the id its origin gave it:

- a new id is inserted; a known one is replaced only when its ``updated``
  is newer (re-delivery, re-polls and archives are no-ops);
- a tombstone (RFC 6721) marks the copy deleted, and remembers when, so an
  older copy met later (in an archive) does not come back;
- a complete document (RFC 5005 ``fh:complete``, the members feed) marks
  every copy it no longer lists deleted;
- entries under this site's own tag authority are skipped: a peer echoing
  our entries would make a loop, and we only ever show our own originals;
- every field is cleaned (``clean``) before it is stored; dates in the
  future are clamped to the time of receipt, a missing date becomes it.

Inserts use ``ON CONFLICT DO NOTHING`` on (peer, kind, id), so two workers
ingesting the same push and poll at once never store an entry twice.

The new and changed rows are written in one statement each, inside a
savepoint. When the database refuses that batch (one row it will not take:
a value a driver or a constraint refuses, a trigger an operator added), the
batch is rolled back to the savepoint and written again one row at a time,
each in a savepoint of its own: the rows the database refuses are dropped
with a recorded reason, and every other row is stored.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, overload

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from core.api import SearchDocument, index_text, search, search_put, utcnow
from federation import clean
from federation.models import Entry, Peer
from federation.parse import ParsedEntry, ParsedFeed, dropped_entry, refused_entry

log = logging.getLogger("paraply.federation")

#: Clock skew we tolerate before calling a date "in the future".
SKEW = timedelta(minutes=10)
CHUNK = 500


@dataclass
class Stats:
    new: int = 0
    updated: int = 0
    deleted: int = 0
    skipped: int = 0
    #: Entries dropped because they could not be read or cleaned: the admin's notes.
    dropped: list[str] = field(default_factory=list)

    @property
    def received(self) -> int:
        return self.new + self.updated

    def __iadd__(self, other: Stats) -> Stats:
        self.new += other.new
        self.updated += other.updated
        self.deleted += other.deleted
        self.skipped += other.skipped
        self.dropped += other.dropped
        return self


@overload
def _aware(value: datetime) -> datetime: ...
@overload
def _aware(value: None) -> None: ...
def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _date(value: datetime | None, now: datetime) -> datetime:
    try:
        value = _aware(value)
    except OverflowError:  # 0001-01-01T00:00+05:00 has no UTC time
        value = None
    if value is None or value > now + SKEW:
        return now
    return value


def row_values(entry: ParsedEntry, peer_id: int, kind: str, now: datetime) -> dict[str, Any]:
    """The cleaned column values of one entry; raises ``ValueError`` for an
    entry that cannot be stored as it is (an id with control characters:
    PostgreSQL refuses a NUL, and an id is never rewritten)."""
    if clean.has_control(entry.id):
        raise ValueError("control characters in the entry's id")
    published = _date(entry.published or entry.updated, now)
    updated = max(_date(entry.updated or entry.published, now), published)
    title = clean.text(entry.title, 300) or "(utan rubrik)"
    summary = clean.text(entry.summary, 1000)
    content = clean.rich(entry.content) if entry.content else ""
    categories = [clean.text(c, 80) for c in entry.categories[:10]]
    fields = clean.fields(entry.fields)
    return {
        "peer_id": peer_id,
        "kind": kind,
        "entry_id": entry.id[:500],
        "title": title,
        "link": clean.url(entry.link),
        "summary": summary,
        "content_html": content,
        "author": clean.text(entry.author, 200),
        "categories": ", ".join(c for c in categories if c)[:500],
        "fields": fields or None,
        "published": published,
        "updated": updated,
        "received_at": now,
        "deleted_at": None,
        "search_text": index_text(title, summary, *categories, *fields.values()),
    }


def _insert(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(Entry).on_conflict_do_nothing(index_elements=["peer_id", "kind", "entry_id"])


def _existing(session: Session, peer_id: int, kind: str, ids: list[str]) -> dict[str, tuple[int, datetime, Any]]:
    found: dict[str, tuple[int, datetime, Any]] = {}
    for start in range(0, len(ids), CHUNK):
        rows = session.exec(
            select(Entry.entry_id, Entry.id, Entry.updated, Entry.deleted_at).where(
                Entry.peer_id == peer_id, Entry.kind == kind, col(Entry.entry_id).in_(ids[start : start + CHUNK])
            )
        ).all()
        for entry_id, row_id, updated, deleted_at in rows:
            assert row_id is not None  # a primary key
            found[entry_id] = (row_id, _aware(updated), _aware(deleted_at))
    return found


@contextmanager
def _savepoint(session: Session) -> Iterator[None]:
    """A savepoint that undoes only what it wraps. SQLite's Python driver
    opens its transaction lazily, at the first write, so a savepoint taken
    before any write would be the outermost one and its release would commit
    on its own; an explicit BEGIN first keeps it nested in the session's
    transaction, as it is on PostgreSQL."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        if raw is not None and not raw.in_transaction:
            connection.exec_driver_sql("BEGIN")
    with session.begin_nested():
        yield


def _store(session: Session, inserts: list[dict[str, Any]], updates: list[dict[str, Any]], stats: Stats) -> None:
    """Write the batch; if the database refuses it, write it row by row and
    drop only the rows it refuses (see the module's docstring)."""
    if not inserts and not updates:
        return
    try:
        with _savepoint(session):
            if inserts:
                session.execute(_insert(session), inserts)
            if updates:
                session.execute(update(Entry), updates)
        return
    except Exception:
        log.warning("Federation: a batch of %s rows was refused; storing them one by one", len(inserts) + len(updates))
    for values, is_new in [(row, True) for row in inserts] + [(row, False) for row in updates]:
        try:
            with _savepoint(session):
                session.execute(_insert(session) if is_new else update(Entry), [values])
        except Exception:
            log.warning("Federation: dropped entry %s, refused by the database", values["entry_id"], exc_info=True)
            if values.get("deleted_at") is None:  # a remembered tombstone is no entry of the peer's
                stats.dropped.append(refused_entry(values["entry_id"]))
                if is_new:
                    stats.new -= 1
                else:
                    stats.updated -= 1


def apply(session: Session, peer_id: int, kind: str, feed: ParsedFeed, own_prefixes: tuple[str, ...] = ()) -> Stats:
    """Store one parsed document's entries and deletions for a peer."""
    now = utcnow()
    stats = Stats(dropped=list(feed.dropped))
    newest: dict[str, dict[str, Any]] = {}
    for position, entry in enumerate(feed.entries):
        try:
            entry.id = str(entry.id or clean.url(entry.link)).strip()
            if not entry.id or (own_prefixes and entry.id.startswith(own_prefixes)):
                stats.skipped += 1  # no identity, or our own entry echoed back
                continue
            # Cleaned here, one entry at a time: whatever goes wrong with
            # one (a date out of range, odd text) drops that entry alone.
            values = row_values(entry, peer_id, kind, now)
        except Exception:
            log.warning("Federation: dropped entry %s for peer %s", position, peer_id, exc_info=True)
            stats.dropped.append(dropped_entry(position, str(entry.id or "")))
            continue
        seen = newest.get(values["entry_id"])
        if seen is not None:
            stats.skipped += 1
            if values["updated"] <= seen["updated"]:
                continue
        newest[values["entry_id"]] = values

    graves = {ref[:500]: _date(when, now) for ref, when in feed.tombstones if ref}
    ids = list(newest) + [ref for ref in graves if ref not in newest]
    existing = _existing(session, peer_id, kind, ids)

    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for entry_id, values in newest.items():
        values = dict(values)
        grave = graves.get(entry_id)
        if grave is not None and grave >= values["updated"]:
            continue  # deleted after this version was written: the tombstone below wins
        known = existing.get(entry_id)
        if known is None:
            inserts.append(values)
            stats.new += 1
            continue
        row_id, updated, deleted_at = known
        if values["updated"] <= updated or (deleted_at is not None and values["updated"] <= deleted_at):
            continue
        values["id"] = row_id
        updates.append(values)
        stats.updated += 1

    for ref, when in graves.items():
        known = existing.get(ref)
        if known is None:
            # Remember the deletion, so an older copy in an archive stays dead.
            inserts.append(
                {
                    "peer_id": peer_id,
                    "kind": kind,
                    "entry_id": ref,
                    "title": "",
                    "published": when,
                    "updated": when,
                    "received_at": now,
                    "deleted_at": when,
                    "search_text": "",
                    "link": "",
                    "summary": "",
                    "content_html": "",
                    "author": "",
                    "categories": "",
                    "fields": None,
                }
            )
            continue
        row_id, updated, deleted_at = known
        if deleted_at is None and when >= updated:
            session.exec(update(Entry).where(col(Entry.id) == row_id).values(deleted_at=when))
            stats.deleted += 1

    _store(session, inserts, updates, stats)

    if feed.complete and not feed.archive:
        listed = set(newest)
        stale = session.exec(
            select(Entry.id, Entry.entry_id).where(
                Entry.peer_id == peer_id, Entry.kind == kind, col(Entry.deleted_at).is_(None)
            )
        ).all()
        gone = [row_id for row_id, entry_id in stale if entry_id not in listed]
        for start in range(0, len(gone), CHUNK):
            session.exec(update(Entry).where(col(Entry.id).in_(gone[start : start + CHUNK])).values(deleted_at=now))
        stats.deleted += len(gone)
        ids += [entry_id for _, entry_id in stale if entry_id not in listed]
    if stats.new or stats.updated or stats.deleted:
        index(session, peer_id, kind, ids)
    return stats


def index_unindexed(session: Session) -> None:
    """Index every stored copy of a peer that has none in the search index."""
    pairs = session.exec(select(Entry.peer_id, Entry.kind).where(col(Entry.deleted_at).is_(None)).distinct()).all()
    for peer_id, kind in pairs:
        if search(session, "", kinds=[kind], origins=[peer_id], per_page=1).total:
            continue
        ids = session.exec(
            select(Entry.entry_id).where(Entry.peer_id == peer_id, Entry.kind == kind, col(Entry.deleted_at).is_(None))
        ).all()
        index(session, peer_id, kind, list(ids))


def index(session: Session, peer_id: int, kind: str, entry_ids: list[str]) -> None:
    """Bring the site search's copies of these entries in step with the
    table: what is stored and not deleted is searchable, marked with the peer."""
    peer = session.get(Peer, peer_id)
    if peer is None:
        return
    for start in range(0, len(entry_ids), CHUNK):
        chunk = entry_ids[start : start + CHUNK]
        documents: dict[str, SearchDocument | None] = dict.fromkeys(chunk)
        rows = session.exec(
            select(Entry).where(Entry.peer_id == peer_id, Entry.kind == kind, col(Entry.entry_id).in_(chunk))
        ).all()
        for row in rows:
            if row.deleted_at is None:
                fields = row.fields or {}
                facts = (str(fields.get("category", "")), str(fields.get("municipality", "")))
                documents[row.entry_id] = SearchDocument(
                    row.title,
                    row.link or peer.url + "/",
                    row.search_text,
                    row.summary,
                    row.published,
                    " · ".join(p for p in facts if p),
                )
        search_put(session, kind, documents, origin=peer_id, origin_name=peer.name, origin_url=peer.url)
