"""The site's clock: every decision about "now" asks it.

Due days, reminders, deletion after a retention period, "open now" and
expiry of signed links all depend on the time. Asking ``site.clock`` rather
than ``datetime.now()`` lets a test (or the CLI's ``--today``) move time for
one site without touching any other site in the same process, which a
module-global would. Column defaults may still use ``core.models.utcnow``:
when a row was written is a fact, not a decision.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


class Clock:
    """Now for one site: aware UTC from ``now()``, local days in the site's
    time zone. ``set`` fixes it (tests, "as of" runs) and ``advance`` moves
    a fixed clock; ``set(None)`` lets it run with the wall clock again."""

    def __init__(self, timezone: str) -> None:
        self.zone = ZoneInfo(timezone)
        self._fixed: datetime | None = None

    @property
    def is_fixed(self) -> bool:
        return self._fixed is not None

    def now(self) -> datetime:
        """The current moment, timezone-aware UTC."""
        return self._fixed if self._fixed is not None else datetime.now(UTC)

    def today(self) -> date:
        """Today in the site's time zone (a loan is due on a local day)."""
        return self.local_date(self.now())

    def local(self, moment: datetime) -> datetime:
        """A moment in the site's time zone; a naive one is taken as UTC
        (SQLite hands stored datetimes back naive)."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(self.zone)

    def local_date(self, moment: datetime) -> date:
        """The local day a moment falls on."""
        return self.local(moment).date()

    def day_start(self, day: date) -> datetime:
        """Local midnight at the start of ``day``, aware."""
        return datetime.combine(day, time.min, tzinfo=self.zone)

    def at_noon(self, day: date) -> datetime:
        """Local noon of ``day`` in UTC: the moment used for "as of that day"."""
        return datetime.combine(day, time(12), tzinfo=self.zone).astimezone(UTC)

    def set(self, value: datetime | date | None) -> None:
        """Fix the clock at an aware datetime (or at local noon of a date);
        None releases it."""
        if value is None:
            self._fixed = None
            return
        if not isinstance(value, datetime):
            value = self.at_noon(value)
        if value.tzinfo is None:
            raise ValueError("the clock needs an aware datetime")
        self._fixed = value.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        """Move a fixed clock on (from the wall clock if it runs)."""
        self.set(self.now() + delta)

    @contextmanager
    def frozen(self, value: datetime | date) -> Iterator[Clock]:
        """Fix the clock for a block, then restore what it was."""
        previous = self._fixed
        self.set(value)
        try:
            yield self
        finally:
            self._fixed = previous
