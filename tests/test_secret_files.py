"""Secrets kept in the data folder (core.secret_files): made once, whole,
mode 0600, and the same for every caller and every restart."""

from __future__ import annotations

import stat
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from core.secret_files import kept_secret
from core.site import Site


def test_many_callers_at_once_get_the_one_secret_written(tmp_path: Path) -> None:
    made: list[bytes] = []
    lock = threading.Lock()

    def make() -> bytes:
        value = f"hemlighet-{len(made)}-".encode() * 4000  # large enough to be written in parts
        with lock:
            made.append(value)
        return value

    for attempt in range(10):
        path = tmp_path / f"data-{attempt}" / "secret"
        barrier = threading.Barrier(10)

        def ask(_n: int, path: Path = path, barrier: threading.Barrier = barrier) -> bytes:
            barrier.wait()
            return kept_secret(path, make)

        with ThreadPoolExecutor(10) as pool:
            answers = set(pool.map(ask, range(10)))
        assert answers == {path.read_bytes()} and path.read_bytes() in made
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert [p.name for p in path.parent.iterdir()] == ["secret"]  # no temporary file left behind


def test_a_site_without_a_secret_key_keeps_the_one_it_made(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PARAPLY_SECRET_KEY")
    first = Site.load(site.folder, data_dir=site.data_dir / "utan-nyckel")
    key = first.secret_key
    assert len(key) >= 64
    assert stat.S_IMODE((first.data_dir / "secret_key").stat().st_mode) == 0o600
    assert Site.load(site.folder, data_dir=first.data_dir).secret_key == key  # a restart reads it back
