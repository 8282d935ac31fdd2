"""Work that is the same for everyone, kept while nothing changes (issue 21).

The page cache (core.pagecache) keeps whole anonymous pages; a signed-in
visitor's page is rendered anew every time, and most of that time went to
parts that are not theirs at all: the front page's blocks and news, the
footer's links, the menu (the same for every visitor with the same roles).
``remember`` keeps such a part in the process, under the site's content
version and the minute of its clock, exactly as the page cache keeps a page:
so it is never stale, with several workers and machines on one database, and
a signed-in page costs the visitor's own parts only.

What is remembered must depend on nothing but the database, the clock and
what the key says (the language, a visitor's id): never a form token, never a
flash message. Keep values that outlive a database session (plain data,
rendered ``Markup``), not ORM rows.

The version is read once per request, and not at all when the page cache read
it already for the same request.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from starlette.requests import Request

from core import pagecache

if TYPE_CHECKING:
    from core.site import Site

T = TypeVar("T")

#: Most parts kept per site process (a menu per signed-in visitor is one).
MAX_ENTRIES = 5000
_NOTHING = object()


class Memo:
    """The remembered parts of one site, for one (version, minute) at a time:
    a part of an older one can never be used again, so they go together."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self.stamp: tuple[int, str] = (-1, "")
        self.entries: OrderedDict[Hashable, Any] = OrderedDict()
        self.lock = threading.Lock()
        # One builder per key: ten visitors arriving together after a change
        # (or at the turn of a minute) wait for one build, not make ten.
        self.builders: dict[Hashable, threading.RLock] = {}

    def builder(self, key: Hashable) -> threading.RLock:
        with self.lock:
            lock = self.builders.get(key)
            if lock is None:
                if len(self.builders) > self.max_entries:
                    self.builders.clear()  # held ones stay with their holders
                lock = self.builders[key] = threading.RLock()
            return lock

    def get(self, stamp: tuple[int, str], key: Hashable) -> Any:
        with self.lock:
            if stamp != self.stamp:
                return _NOTHING
            value = self.entries.get(key, _NOTHING)
            if value is not _NOTHING:
                self.entries.move_to_end(key)
            return value

    def put(self, stamp: tuple[int, str], key: Hashable, value: Any) -> None:
        with self.lock:
            if stamp < self.stamp:  # built under a version already replaced
                return
            if stamp != self.stamp:
                self.stamp = stamp
                self.entries.clear()
            self.entries[key] = value
            while len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)


def request_stamp(site: Site, request: Request) -> tuple[int, str] | None:
    """The (content version, minute) this request's remembered parts belong
    to, read at most once a request; None before core's migrations ran."""
    scope = request.scope
    version = scope.get(pagecache.VERSION_KEY, _NOTHING)
    if version is _NOTHING:
        version = pagecache.content_version(site.engine)
        scope[pagecache.VERSION_KEY] = version
    if version is None:
        return None
    minute = scope.get(_MINUTE)
    if minute is None:
        minute = scope[_MINUTE] = site.clock.now().strftime("%Y-%m-%dT%H:%M")
    return (int(version), str(minute))


_MINUTE = "paraply.memo.minute"


def remember(request: Request, key: Hashable, build: Callable[[], T]) -> T:
    """``build()``, or what it gave before for ``key`` while the site's
    content and clock's minute are the same (see the module's docstring).
    ``key`` names what is built and everything it depends on besides the
    database and the clock: the language, the visitor."""
    return remember_for(request.app.state.site, request, key, build)


def remember_for(site: Site, request: Request, key: Hashable, build: Callable[[], T]) -> T:
    """``remember`` for a caller that has the site at hand (core's templates)."""
    stamp = request_stamp(site, request)
    if stamp is None:
        return build()
    # As in the page cache: a request saying ``Cache-Control: no-cache`` (a
    # forced reload, the tests' "as rendered anew") is built anew, and kept.
    fresh = "no-cache" in request.headers.get("cache-control", "")
    memo: Memo = site.memo
    found: Any = _NOTHING if fresh else memo.get(stamp, key)
    if found is not _NOTHING:
        return cast(T, found)
    with memo.builder(key):
        found = _NOTHING if fresh else memo.get(stamp, key)  # built while this one waited
        if found is not _NOTHING:
            return cast(T, found)
        value = build()
        memo.put(stamp, key, value)
        return value
