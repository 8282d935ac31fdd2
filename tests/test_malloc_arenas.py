"""A site's process keeps to two malloc arenas however many view threads
allocate at once (core.malloc_arenas), counted by glibc itself
(``malloc_info``) in a fresh Python process that imports the site's ASGI
entry point and then allocates from 16 threads, as a busy site does."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

PROGRAM = textwrap.dedent(
    """
    import ctypes, ctypes.util, os, re, sys, tempfile, threading
    if sys.argv[1] == "site":
        import core.asgi  # noqa: F401  (what uvicorn imports in each worker)
    barrier = threading.Barrier(16)
    def work():
        barrier.wait()
        for _ in range(200):
            kept = [bytearray(200) for _ in range(500)]
            del kept
    threads = [threading.Thread(target=work) for _ in range(16)]
    for t in threads: t.start()
    for t in threads: t.join()
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    libc.fopen.restype = ctypes.c_void_p
    libc.fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
    libc.fclose.argtypes = [ctypes.c_void_p]
    path = tempfile.mktemp()
    stream = libc.fopen(path.encode(), b"w")
    libc.malloc_info(0, stream)
    libc.fclose(stream)
    print(len(re.findall(r'<heap nr="', open(path).read())))
    os.unlink(path)
    """
)


def arenas(mode: str, tmp_path: Path) -> int:
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    site = REPO / "sites" / "mockeln"
    env |= {"PARAPLY_SITE": str(site), "PARAPLY_DATABASE_URL": f"sqlite:///{tmp_path / 'site.db'}"}
    env["PARAPLY_DATA_DIR"] = str(tmp_path / "data")
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, mode], env=env, cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return int(done.stdout.split()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="malloc arenas are glibc's (Linux)")
def test_a_sites_process_keeps_to_two_malloc_arenas(tmp_path: Path) -> None:
    assert arenas("plain", tmp_path) > 2, "16 threads at once did not make glibc open more arenas: nothing to prove"
    assert arenas("site", tmp_path) <= 2
