"""Database engines and sessions.

SQLite in the site's data folder is the default; PostgreSQL is chosen by URL
(``[database] url`` in site.toml, or ``PARAPLY_DATABASE_URL`` for URLs that
carry a password). Tables are created only by migrations (``paraply migrate``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import Dialect, Engine, make_url
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection
from sqlmodel import Session, create_engine

from core import pagecache


def normalise_url(url: str) -> str:
    """Let people write ``postgresql://`` and still get the psycopg 3 driver."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


#: Threads that run a site's views (Starlette runs plain ``def`` views in
#: anyio's thread pool; core.app sets its size in the lifespan).
VIEW_THREADS = 16
#: A page can hold two connections at once: its view's session, and the one
#: a menu item or block opens while the template renders inside it. With
#: fewer than two per thread, a burst of such pages leaves every thread
#: holding one connection and waiting for a second: nothing moves until the
#: pool's 30 s time-out, then each fails. The daily jobs, the outbox and
#: federation's workers take a few more.
#: Kept open: ten visitors at once (the benchmarks' load) each hold one or
#: two; an overflow connection is closed at its checkin and a new one made
#: for the next page (issue 21: on SQLite each new connection read the schema
#: again, a third of a signed-in page's time; on PostgreSQL it is a login).
POOL_SIZE = 12
MAX_OVERFLOW = 2 * VIEW_THREADS + 8 - POOL_SIZE


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    if make_url(url).database not in (None, "", ":memory:"):  # in-memory SQLite has a pool of one
        kwargs |= {"pool_size": POOL_SIZE, "max_overflow": MAX_OVERFLOW}
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        event.listen(engine, "checkin", _note_checkin)
        event.listen(engine, "checkout", _ping_if_idle(engine.dialect))
    event.listen(engine, "before_cursor_execute", _without_nul, retval=True)
    pagecache.track_changes(engine)
    return engine


#: A server connection back in the pool less than this many seconds ago is
#: taken as alive; an older one is pinged before use. SQLAlchemy's
#: ``pool_pre_ping`` pings at every checkout: a round trip to PostgreSQL for
#: each session, a sixth of a counter pair's (issue 21), while under load a
#: connection comes back within milliseconds. A server restart takes longer
#: than this, so once the server is back every connection from before it is
#: pinged and replaced; only a request during the restart meets a dead one
#: (and the pool then renews every connection older than the failure).
PING_AFTER_IDLE = 1.0
_CHECKED_IN = "paraply_checked_in"


def _note_checkin(_dbapi_conn: Any, record: ConnectionPoolEntry) -> None:
    record.info[_CHECKED_IN] = time.monotonic()


def _ping_if_idle(dialect: Dialect) -> Callable[[Any, ConnectionPoolEntry, PoolProxiedConnection], None]:
    """A checkout listener: SQLAlchemy's pessimistic ping (the dialect's
    ``do_ping``) for a connection idle longer than ``PING_AFTER_IDLE``; a
    dead one is replaced (the pool retries on ``DisconnectionError``)."""

    def checkout(dbapi_conn: Any, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection) -> None:
        idle_since = record.info.get(_CHECKED_IN)  # None: connected just now
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE:
            return
        try:
            dialect.do_ping(dbapi_conn)
        except Exception as error:
            raise exc.DisconnectionError(str(error)) from error

    return checkout


def _strip_nul(value: Any) -> Any:
    if isinstance(value, str) and "\x00" in value:
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {key: _strip_nul(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_strip_nul(item) for item in value)
    return value


def _without_nul(
    conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
) -> tuple[str, Any]:
    """NUL characters never reach the database. PostgreSQL refuses them in
    text (``DataError``: a 500 for ``/hjalp/api/organizations/%00``, a form
    field or a feed entry holding one: issue 18's walk found it), and no
    text a person or a peer sends means anything by one; so they are dropped
    from every string parameter, on SQLite too, so both databases behave
    alike (a lookup of "a\\x00b" finds what "ab" finds)."""
    return statement, _strip_nul(parameters)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except Exception:
            session.rollback()
            raise


@contextmanager
def autocommit_session(engine: Engine) -> Iterator[Session]:
    """A session outside any transaction: each statement stands alone and
    sees the latest commit. For the reads every request makes (who is signed
    in, the content version): on PostgreSQL a transaction adds a BEGIN and a
    COMMIT, two round trips to the server besides the statement's one."""
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        with Session(connection, expire_on_commit=False) as session:
            yield session
