"""Wall-clock times in an event's own time zone, and the UTC range derived
from them. A time that does not exist (the hour skipped when the clocks go
forward) is refused with a message, never silently moved."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from core.api import gettext as _

DEFAULT_ZONE = "Europe/Stockholm"


class TimeProblem(ValueError):
    """Why a time cannot be used, in the visitor's language."""


def zone(name: str) -> ZoneInfo:
    """The zone ``name``, or Stockholm's for an unknown or empty name (a
    peer's junk must not break a page)."""
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def is_zone(name: str) -> bool:
    return name in available_timezones()


def aware(local: datetime, tz: str) -> datetime:
    """The naive wall-clock ``local`` in zone ``tz``, aware."""
    return local.replace(tzinfo=zone(tz))


def exists(local: datetime, tz: str) -> bool:
    """False for a wall-clock time skipped by a daylight-saving change
    (02:30 on the last Sunday of March in Sweden): a round trip through UTC
    lands elsewhere."""
    there = aware(local, tz)
    return there.astimezone(UTC).astimezone(zone(tz)).replace(tzinfo=None) == local


def check_exists(local: datetime, tz: str) -> None:
    if not exists(local, tz):
        raise TimeProblem(
            _(
                "Klockan %(time)s finns inte den %(day)s: klockan ställs fram en timme den natten. "
                "Välj en tid före 02:00 eller från 03:00."
            )
            % {"time": local.strftime("%H:%M"), "day": local.date().isoformat()}
        )


def to_utc(local: datetime, tz: str) -> datetime:
    """Naive UTC (as the tables keep it) of the wall-clock ``local`` in ``tz``."""
    return aware(local, tz).astimezone(UTC).replace(tzinfo=None)


def day_start_utc(day: date, tz: str) -> datetime:
    return to_utc(datetime.combine(day, time(0)), tz)


def span_utc(starts_at: datetime, ends_at: datetime, all_day: bool, tz: str) -> tuple[datetime, datetime]:
    """The UTC range an occurrence covers; an all-day event covers its last
    day to midnight."""
    if all_day:
        return day_start_utc(starts_at.date(), tz), day_start_utc(ends_at.date() + timedelta(days=1), tz)
    return to_utc(starts_at, tz), to_utc(ends_at, tz)
