"""What SQLite's library holds in a site's process, and a ceiling on it.

Every pooled connection keeps a page cache of its own (2 MiB by default)
that fills as the database file grows, and under load the pool opens up to
``core.db``'s 40 connections. SQLite allocates with ``malloc``, out of
Python's sight, so ``/-/metrics`` reports it (``paraply_sqlite_memory_bytes``)
and ``core.db`` sets a soft limit that SQLite keeps to by recycling cached
pages rather than growing: a page not in the cache is read again from the
operating system's file cache, which a process's memory does not count.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

#: Process-wide: all connections of all sites in the process share it.
SOFT_HEAP_LIMIT = 16 * 1024 * 1024


@functools.cache
def _library() -> ctypes.CDLL | None:
    # The library the sqlite3 module was linked with: loaded already, so
    # this is the same instance and its counters are this process's.
    import sqlite3  # noqa: F401  (loads it)

    name = ctypes.util.find_library("sqlite3")
    if name is None:
        return None
    try:
        library = ctypes.CDLL(name)
        library.sqlite3_memory_used.restype = ctypes.c_int64
    except (OSError, AttributeError):
        return None
    return library


def memory_used() -> int | None:
    """Bytes SQLite has allocated in this process now, or None where its
    library cannot be reached (a Python with SQLite built in statically)."""
    library = _library()
    return None if library is None else int(library.sqlite3_memory_used())
