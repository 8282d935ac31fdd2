"""Fewer malloc arenas in a site's process.

glibc gives threads that allocate at the same moment arenas of their own,
up to eight per core, and memory freed in one is seldom handed back to the
system. A site runs its views in 16 threads, so its resident memory crept
up with the load: +14 to +17 % in ten minutes of the SQLite soak
(``bench/soak.py``, overloaded), against +5 to +12 % with two arenas. Two
arenas is the usual advice for threaded Python and Ruby servers. Set here with
``mallopt`` because ``MALLOC_ARENA_MAX`` is read only when a process starts,
before Paraply runs; an explicit ``MALLOC_ARENA_MAX`` wins.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

ARENAS = 2
_M_ARENA_MAX = -8  # glibc's malloc.h


def limit_malloc_arenas(count: int = ARENAS) -> bool:
    """Limit this process to ``count`` arenas from now on. True when glibc
    took it; False elsewhere (macOS, musl) or when the environment already
    says how many."""
    if not sys.platform.startswith("linux") or os.environ.get("MALLOC_ARENA_MAX"):
        return False
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_ARENA_MAX, count))
