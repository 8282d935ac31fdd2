"""Anonymous pages from memory, never stale (issue 21).

What a visitor without a session sees depends on the database, the path
and query, and the clock; so a rendered response is kept with the number
in ``core_content_version`` it was rendered under and the minute of the
site's clock, and is served again only while both are the same.

The number goes up in the same transaction as any change a page could show
(``track_changes``: every INSERT, UPDATE, DELETE or DDL on a table not in
``INVISIBLE_TABLES``, from a view, a daily job, a federation ingest of a
peer's feed or a command line), at its commit, so every worker and every
machine on one database sees the change the moment it is committed: each
cached answer costs one primary-key read of that row (in the thread pool,
never on the event loop). A page is rendered after its version was read,
so what is stored is never older than its version.

Never kept: anything but a GET without the session cookie (a signed-in
visitor, or one with a message waiting), answers other than 200, answers
that set a cookie, pages that printed a form token (core.templating's
``FormToken`` calls ``form_token_used``), or that say
``Cache-Control: no-store``/``private``.

A request with ``Cache-Control: no-cache`` is rendered anew (and kept).
Every GET answer of 200 that is HTML or a cached page gets an ``ETag`` (a
hash of its bytes) when it has none, and a request whose ``If-None-Match``
matches gets 304; cached pages say ``Cache-Control: no-cache`` so browsers
ask again each time (and get 304 while nothing changed).
"""

from __future__ import annotations

import hashlib
import re
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from anyio import CapacityLimiter, to_thread
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from core.site import Site

#: Tables whose rows no page shows to an anonymous visitor, written on reads
#: or by background bookkeeping: a write there keeps the cache.
INVISIBLE_TABLES = frozenset(
    {
        "core_content_version",
        "core_session",
        "core_login_failure",
        "core_rate_limit_hit",
        "core_outbox",
        "core_daily_run",
        "core_account_token",
        "federation_feed",
        "federation_subscription",
    }
)
#: Most answers kept per site process, the most bytes of them (so a site of
#: many long pages stays within a process's memory budget: 2,000 pages of
#: 60 kB would be 120 MB), and the largest answer kept.
MAX_ENTRIES = 2000
MAX_BYTES = 24 * 1024 * 1024
MAX_BODY = 1_000_000
#: Paths served from files with their own caching (core.assets).
FILE_PREFIXES = ("/static/", "/uploads/")

_CHANGED = "paraply_content_changed"
#: In the scope of a request the cache may keep: a dict shared by every copy
#: of the scope the middleware below make, set when a form token is printed.
_PAGE = "paraply.pagecache"
#: In the scope: the content version read for this request (core.memo reads
#: it there rather than again).
VERSION_KEY = "paraply.content_version"
_WRITE = re.compile(r"\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+[\"`]?(\w+)", re.I)
_READ = re.compile(r"\s*(?:SELECT|PRAGMA|SAVEPOINT|RELEASE|ROLLBACK|BEGIN|SET|SHOW|EXPLAIN|VALUES)\b", re.I)
#: A statement opening with common table expressions (the search's ``WITH m
#: AS MATERIALIZED``) reads unless a write is in it (PostgreSQL's
#: data-modifying CTEs, SQLite's ``WITH ... UPDATE``).
_WITH = re.compile(r"\s*WITH\b", re.I)
_WITH_WRITES = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE)\b", re.I)
_DROP_VERSION = re.compile(r"\s*DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?[\"`]?core_content_version\b", re.I)
_BUMP = "UPDATE core_content_version SET version = version + 1 WHERE id = 1"
_READ_VERSION = "SELECT version FROM core_content_version WHERE id = 1"
#: Engines whose version table is known to exist (so a commit may bump it).
_ready: weakref.WeakSet[Engine] = weakref.WeakSet()


# -- the version -------------------------------------------------------------------


def track_changes(engine: Engine) -> None:
    """Bump the content version at the commit of every transaction that
    wrote something a page can show (core.db calls this for every engine)."""
    event.listen(engine, "after_cursor_execute", _after_execute)
    event.listen(engine, "commit", _before_commit)
    event.listen(engine, "rollback", _rolled_back)


def _after_execute(conn: Connection, cursor: Any, statement: str, *args: Any) -> None:
    if _DROP_VERSION.match(statement):  # a downgrade: look for the table again at commit
        _ready.discard(conn.engine)
    if conn.info.get(_CHANGED):
        return
    write = _WRITE.match(statement)
    if write:
        changed = write.group(1).lower() not in INVISIBLE_TABLES
    elif _WITH.match(statement):
        changed = _WITH_WRITES.search(statement) is not None
    else:
        changed = _READ.match(statement) is None  # DDL and anything unknown count as a change
    if changed:
        conn.info[_CHANGED] = True


def _before_commit(conn: Connection) -> None:
    """Runs just before the database commits, in the same transaction, on
    the raw connection (so these events do not see it)."""
    if not conn.info.pop(_CHANGED, False):
        return
    raw = conn.connection.dbapi_connection
    assert raw is not None
    cursor = raw.cursor()
    try:
        if conn.engine not in _ready:
            if not _has_version_table(conn, cursor):
                return  # before core's migration made it: nothing is cached yet either
            _ready.add(conn.engine)
        cursor.execute(_BUMP)
    finally:
        cursor.close()


def _has_version_table(conn: Connection, cursor: Any) -> bool:
    if conn.dialect.name == "sqlite":
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'core_content_version'")
        return cursor.fetchone() is not None
    cursor.execute("SELECT to_regclass('core_content_version')")
    row = cursor.fetchone()
    return row is not None and row[0] is not None


def _rolled_back(conn: Connection) -> None:
    conn.info.pop(_CHANGED, None)


def content_version(engine: Engine) -> int | None:
    """The current version, or None when there is none to read (an
    unmigrated database): then nothing is cached."""
    try:
        with engine.connect() as conn:
            # Outside a transaction: one round trip on PostgreSQL, not three.
            conn.execution_options(isolation_level="AUTOCOMMIT")
            value = conn.exec_driver_sql(_READ_VERSION).scalar()
    except Exception:
        return None
    return int(value) if value is not None else None


def form_token_used(scope: Scope) -> None:
    """Say that this answer holds the visitor's form token: never keep it."""
    page = scope.get(_PAGE)
    if page is not None:
        page["form_token"] = True


# -- the middleware ------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    version: int
    minute: str
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes


class PageCache:
    """ASGI middleware: anonymous GET answers from memory while the content
    version and the minute are unchanged; ETag and 304 on the way out."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        engine: Callable[[], Engine],
        minute: Callable[[], str],
        session_cookie: str,
        max_entries: int = MAX_ENTRIES,
        max_bytes: int = MAX_BYTES,
    ) -> None:
        self.app = app
        self.engine = engine
        self.minute = minute
        self.session_cookie = session_cookie.encode("latin-1") + b"="
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.entries: OrderedDict[tuple[bytes, ...], Entry] = OrderedDict()
        self.size = 0  # bytes of the kept bodies and headers
        # The (version, minute) of the kept answers: one of another can never
        # be served again, so it goes at once.
        self.current: tuple[int, str] = (-1, "")
        # Its own threads: a version check does not queue behind slow views.
        self.limiter = CapacityLimiter(4)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        path: str = scope["path"]
        if path.startswith(FILE_PREFIXES):
            await self.app(scope, receive, send)
            return
        matching = headers.get(b"if-none-match", b"")
        anonymous = self.session_cookie not in headers.get(b"cookie", b"") and b"authorization" not in headers
        version = await to_thread.run_sync(self._version, limiter=self.limiter) if anonymous else None
        if version is None:
            await self._with_etag(scope, receive, send, matching, None)
            return
        key = (path.encode("utf-8"), scope.get("query_string", b""), headers.get(b"accept-encoding", b""))
        minute = self.minute()
        # A request that says ``Cache-Control: no-cache`` (a browser's forced
        # reload, the statement-count walk) is rendered anew, and kept.
        fresh = b"no-cache" in headers.get(b"cache-control", b"")
        entry = None if fresh else self.entries.get(key)
        if entry is not None and entry.version == version and entry.minute == minute:
            self.entries.move_to_end(key)
            since = headers.get(b"if-modified-since", b"")
            await _answer(send, entry.status, entry.headers, entry.body, entry.etag, matching, since)
            return
        page: dict[str, bool] = {"form_token": False}

        def keep(answer: Entry) -> bool:
            if page["form_token"]:
                return False
            self._keep(key, version, minute, answer)
            return True

        await self._with_etag({**scope, _PAGE: page, VERSION_KEY: version}, receive, send, matching, keep)

    def _version(self) -> int | None:
        return content_version(self.engine())

    def _keep(self, key: tuple[bytes, ...], version: int, minute: str, answer: Entry) -> None:
        """Keep ``answer``, within the budgets. On a site that changes every
        few seconds most kept answers would be dead (an older version or
        minute): they go when an answer of the new one is kept, so memory
        holds what can be served, not up to ``max_bytes`` of the past."""
        if (version, minute) != self.current:
            self.current = (version, minute)
            self.entries.clear()
            self.size = 0
        entry = Entry(version, minute, answer.status, answer.headers, answer.body, answer.etag)
        old = self.entries.pop(key, None)
        if old is not None:
            self.size -= _size(old)
        self.entries[key] = entry
        self.size += _size(entry)
        while len(self.entries) > self.max_entries or self.size > self.max_bytes:
            _key, dropped = self.entries.popitem(last=False)  # the least recently used
            self.size -= _size(dropped)

    async def _with_etag(
        self, scope: Scope, receive: Receive, send: Send, matching: bytes, keep: Callable[[Entry], bool] | None
    ) -> None:
        """Run the app; a 200 HTML answer (or one to keep) is held until its
        last byte to be hashed, then sent or answered with 304."""
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        passing = False

        async def held_send(message: Message) -> None:
            nonlocal start, size, passing, keep
            if passing:
                await send(message)
                return
            if message["type"] == "http.response.start":
                names = dict(message.get("headers", []))
                kept = keep is not None and _keepable(message["status"], message.get("headers", []))
                html = names.get(b"content-type", b"").startswith(b"text/html")
                if message["status"] != 200 or not (kept or html):
                    passing = True
                    await send(message)
                    return
                if not kept:
                    keep = None
                start = message
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            assert start is not None
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > MAX_BODY:  # too big to hold: send it on as it comes
                passing = True
                await send(start)
                await send({"type": "http.response.body", "body": b"".join(chunks), "more_body": True})
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b""})
                return
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            response_headers = list(start.get("headers", []))
            etag = dict(response_headers).get(b"etag")
            if etag is None:
                etag = b'"' + hashlib.blake2b(body, digest_size=16).hexdigest().encode() + b'"'
                response_headers.append((b"etag", etag))
            if keep is not None:
                revalidated = [(k, v) for k, v in response_headers if k != b"cache-control"]
                revalidated.append((b"cache-control", b"no-cache"))
                if keep(Entry(0, "", start["status"], revalidated, body, etag)):
                    response_headers = revalidated
            await _answer(send, start["status"], response_headers, body, etag, matching)

        await self.app(scope, receive, held_send)


def _keepable(status: int, headers: list[tuple[bytes, bytes]]) -> bool:
    if status != 200:
        return False
    for name, value in headers:
        name = name.lower()
        if name == b"set-cookie":
            return False
        if name == b"cache-control" and (b"no-store" in value or b"private" in value):
            return False
    return True


def _not_modified(since: bytes, headers: list[tuple[bytes, bytes]]) -> bool:
    """If-Modified-Since against a kept answer's Last-Modified (RFC 9110
    13.1.3): only asked when the request has no If-None-Match."""
    last_modified = dict(headers).get(b"last-modified")
    if not since or last_modified is None:
        return False
    try:
        return parsedate_to_datetime(last_modified.decode("latin-1")) <= parsedate_to_datetime(since.decode("latin-1"))
    except (TypeError, ValueError):
        return False


def _matches(matching: bytes, etag: bytes) -> bool:
    if not matching:
        return False
    if matching.strip() == b"*":
        return True
    wanted = etag.removeprefix(b"W/")
    return any(tag.strip().removeprefix(b"W/") == wanted for tag in matching.split(b","))


async def _answer(
    send: Send,
    status: int,
    headers: list[tuple[bytes, bytes]],
    body: bytes,
    etag: bytes,
    matching: bytes,
    since: bytes = b"",
) -> None:
    fresh = _matches(matching, etag) if matching else _not_modified(since, headers)
    if fresh:
        kept = [
            (k, v)
            for k, v in headers
            if k in (b"etag", b"cache-control", b"vary", b"content-location", b"last-modified", b"link")
        ]
        await send({"type": "http.response.start", "status": 304, "headers": kept})
        await send({"type": "http.response.body", "body": b""})
        return
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def site_content_version(site: Site) -> int | None:
    """The site's content version (see the module's docstring): a plugin
    keeping rendered work in memory keeps it per version, and is then right
    with several workers and machines. None before core's migrations ran."""
    return content_version(site.engine)


def _size(entry: Entry) -> int:
    return len(entry.body) + sum(len(name) + len(value) for name, value in entry.headers)
