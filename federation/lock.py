"""Only one poller per site, however many worker processes serve it.

On PostgreSQL a session-level advisory lock (``pg_try_advisory_lock``) held
on a connection of its own; it is per database and vanishes with the
connection, so a crashed worker frees it. On SQLite (one machine) an
exclusive ``flock`` on a file in the site's data folder does the same.
Workers that do not get the lock try again now and then, so the poller
moves to another worker when its holder stops.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine

#: A fixed 64-bit key: "paraply federation poller".
ADVISORY_KEY = 0x7061726170_6C79


class PollerLock:
    def __init__(self, engine: Engine, data_dir: Path) -> None:
        self.engine = engine
        self.path = data_dir / "federation-poller.lock"
        self._conn: Any = None
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._conn is not None or self._fd is not None

    def acquire(self) -> bool:
        """Take the lock if it is free; never waits."""
        if self.held:
            return True
        if self.engine.dialect.name == "postgresql":
            conn = self.engine.connect()
            got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}).scalar())
            conn.commit()
            if got:
                self._conn = conn
            else:
                conn.close()
            return got
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
                self._conn.commit()
            finally:
                self._conn.close()
                self._conn = None
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
