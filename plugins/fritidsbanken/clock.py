"""The plugin's idea of "now". Everything that depends on the date (due days,
reminders, deletion after 24 months) asks here, so tests can move time by
patching ``now`` and the CLI can run as of another day (``--today``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from core.api import Site


def now() -> datetime:
    return datetime.now(UTC)


def today(site: Site) -> date:
    """Today in the site's time zone (a loan is due on a local day)."""
    return now().astimezone(ZoneInfo(site.config.site.timezone)).date()


def day_start(site: Site, day: date) -> datetime:
    """Midnight at the start of a local day, as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(site.config.site.timezone))


def at_noon(site: Site, day: date) -> datetime:
    """A moment on ``day`` used when the CLI runs "as of" a given day."""
    return datetime.combine(day, time(12), tzinfo=ZoneInfo(site.config.site.timezone)).astimezone(UTC)


def local_date(site: Site, moment: datetime) -> date:
    """The local day a moment falls on."""
    return moment.astimezone(ZoneInfo(site.config.site.timezone)).date()
