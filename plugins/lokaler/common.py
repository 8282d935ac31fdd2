"""What every view of the plugin needs: the site's zone, "now", settings."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from core.api import Site
from plugins.lokaler.models import Booking
from plugins.lokaler.settings import LokalerSettings
from plugins.lokaler.weeks import local


def settings_of(site: Site) -> LokalerSettings:
    return site.plugin_settings("lokaler", LokalerSettings)


def zone_of(site: Site) -> ZoneInfo:
    return ZoneInfo(site.config.site.timezone)


def now_of(site: Site) -> datetime:
    """Now, aware, in the site's zone."""
    return site.clock.now().astimezone(zone_of(site))


def times_of(site: Site, booking: Booking) -> tuple[datetime, datetime]:
    zone = zone_of(site)
    return local(booking.start_utc, zone), local(booking.end_utc, zone)


def when_text(site: Site, booking: Booking) -> str:
    start, end = times_of(site, booking)
    if start.date() == end.date() or (end.hour == 0 and end.minute == 0 and (end.date() - start.date()).days == 1):
        return f"{start:%Y-%m-%d} {start:%H:%M}–{end:%H:%M}"
    return f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M}"
