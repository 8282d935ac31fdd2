"""Watching the tables of federated kinds, so plugins need not call us.

When a session flushes, every deleted row of a kind's table, and every row
that is no longer public (unpublished news, a hidden association), gets a
tombstone in the same transaction; a row that becomes public again loses
its tombstone. After the commit, the kinds that changed are handed to the
site's runtime, whose hub pushes the new documents to subscribers.

The listeners are global (SQLAlchemy session events) and find the site by
the session's engine, so several sites in one process stay apart.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import select

from core.api import utcnow
from federation.kinds import FederatedKind
from federation.models import Tombstone

CHANGED = "federation_changed"


@dataclass
class Watch:
    kinds: list[FederatedKind]
    #: Called after a commit with the names of the kinds that changed.
    on_change: Callable[[set[str]], None] | None = None
    by_model: dict[type, list[FederatedKind]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for kind in self.kinds:
            if kind.model is not None:
                self.by_model.setdefault(kind.model, []).append(kind)


_watches: weakref.WeakKeyDictionary[Engine, Watch] = weakref.WeakKeyDictionary()


def watch(engine: Engine, kinds: list[FederatedKind], on_change: Callable[[set[str]], None] | None = None) -> Watch:
    """Start recording tombstones and changes for a site's engine."""
    _install_listeners()
    found = Watch(kinds, on_change)
    _watches[engine] = found
    return found


def unwatch(engine: Engine) -> None:
    _watches.pop(engine, None)


def _watch_of(session: OrmSession) -> Watch | None:
    try:
        bind = session.get_bind()
    except Exception:
        return None
    engine = getattr(bind, "engine", bind)
    return _watches.get(engine) if isinstance(engine, Engine) else None


def _set_tombstone(session: OrmSession, kind: str, ref: str, dead: bool) -> None:
    with session.no_autoflush:
        existing = session.execute(select(Tombstone).where(Tombstone.kind == kind, Tombstone.ref == ref)).scalar()
    if dead:
        if existing is None:
            session.add(Tombstone(kind=kind, ref=ref, deleted_at=utcnow()))
    elif existing is not None:
        session.delete(existing)


def _before_flush(session: OrmSession, flush_context: Any, instances: Any) -> None:
    found = _watch_of(session)
    if found is None or not found.by_model:
        return
    changed: set[str] = session.info.setdefault(CHANGED, set())
    for obj in list(session.deleted):
        for kind in found.by_model.get(type(obj), []):
            changed.add(kind.name)
            ref = kind.ref_of(obj) if kind.ref_of else None
            if ref:
                _set_tombstone(session, kind.name, ref, dead=True)
    for obj in [*session.dirty, *session.new]:
        for kind in found.by_model.get(type(obj), []):
            changed.add(kind.name)
            if getattr(obj, "id", None) is None or kind.ref_of is None or kind.is_public is None:
                continue  # a new row: nothing was published under its id yet
            ref = kind.ref_of(obj)
            if ref:
                _set_tombstone(session, kind.name, ref, dead=not kind.is_public(obj))


def _after_commit(session: OrmSession) -> None:
    changed = session.info.pop(CHANGED, None)
    if not changed:
        return
    found = _watch_of(session)
    if found is not None and found.on_change is not None:
        found.on_change(set(changed))


def _after_rollback(session: OrmSession) -> None:
    session.info.pop(CHANGED, None)


_installed = False


def _install_listeners() -> None:
    global _installed
    if _installed:
        return
    event.listen(OrmSession, "before_flush", _before_flush)
    event.listen(OrmSession, "after_commit", _after_commit)
    event.listen(OrmSession, "after_soft_rollback", lambda session, previous: _after_rollback(session))
    _installed = True
