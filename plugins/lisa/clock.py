"""The plugin's notion of "now".

Retention (deleting referrals after their period), "open now" and the
12-month verification flag all depend on the time, so they read it here, and
tests move it with ``frozen``. Production code never sets it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

_frozen: datetime | None = None


def now() -> datetime:
    """The current time, timezone-aware UTC."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def set_now(value: datetime | None) -> None:
    """Fix the clock at ``value`` (aware), or release it with None."""
    global _frozen
    if value is not None and value.tzinfo is None:
        raise ValueError("the clock needs an aware datetime")
    _frozen = value.astimezone(UTC) if value is not None else None


@contextmanager
def frozen(value: datetime) -> Iterator[None]:
    previous = _frozen
    set_now(value)
    try:
        yield
    finally:
        set_now(previous)
