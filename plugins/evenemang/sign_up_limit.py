"""A rate limit on sign-ups by e-mail, per visitor: each one mails a
confirmation link to an address the visitor typed, so without a limit a
script could mail the whole town from one form.

Counted by the client address as core's login throttle counts it
(``throttle_key``: an IPv4 address, an IPv6 /64), on the site's clock, in
the process's memory (``site.state``): a sliding hour. Several workers each
count their own share, which still bounds a script; nothing about the
visitor is written to the database.
"""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timedelta

from starlette.requests import Request

from core.api import Site, throttle_key

WINDOW = timedelta(hours=1)


class SignUpLimit:
    """Sliding-window counts per client key; thread-safe (views run in the thread pool)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, deque[datetime]] = {}

    def allow(self, key: str, now: datetime, limit: int) -> bool:
        """Count one sign-up for ``key`` and say whether it is within ``limit`` an hour."""
        with self._lock:
            times = self._seen.setdefault(key, deque())
            while times and times[0] <= now - WINDOW:
                times.popleft()
            if len(times) >= limit:
                return False
            times.append(now)
            if len(self._seen) > 10_000:  # forget idle visitors so the table stays small
                for idle in [k for k, v in self._seen.items() if not v or v[-1] <= now - WINDOW]:
                    del self._seen[idle]
            return True


def allow_sign_up(site: Site, request: Request, limit: int) -> bool:
    """Whether this visitor may send one more sign-up by e-mail now."""
    with _create:
        counter = getattr(site.state, "evenemang_sign_up_limit", None)
        if counter is None:
            counter = SignUpLimit()
            site.state.evenemang_sign_up_limit = counter
    host = request.client.host if request.client else ""
    return bool(counter.allow(throttle_key(host), site.clock.now(), limit))


_create = threading.Lock()
