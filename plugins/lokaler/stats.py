"""The house's figures for the follow-up report (``report_figures``) and
its statistics page: hours booked per association and per resource,
occupancy per room (booked hours as a share of its open hours, holidays
and closed days left out), how many associations used the house, and
series against single bookings. Only confirmed bookings count."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from core.api import Figure, Site
from plugins.lokaler import days
from plugins.lokaler.models import Booking, BookingStatus, Kind, Resource

PLUGIN = "lokaler"


@dataclass
class Stats:
    hours_by_association: dict[str, float] = field(default_factory=dict)
    hours_by_resource: dict[str, float] = field(default_factory=dict)
    occupancy: dict[str, float] = field(default_factory=dict)  # room -> percent of open hours
    associations: int = 0
    series: int = 0
    single: int = 0


def compute(site: Site, db: Session, start: date, end: date) -> Stats:
    """Figures for the local days ``start``..``end`` (inclusive)."""
    zone = ZoneInfo(site.config.site.timezone)
    first = datetime.combine(start, time(0), tzinfo=zone).astimezone(UTC).replace(tzinfo=None)
    after = datetime.combine(end + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC).replace(tzinfo=None)
    resources = {r.id: r for r in db.exec(select(Resource)).all()}
    bookings = db.exec(
        select(Booking).where(
            Booking.status == BookingStatus.CONFIRMED,
            col(Booking.start_utc) < after,
            col(Booking.end_utc) > first,
        )
    ).all()
    stats = Stats()
    by_association: dict[str, float] = defaultdict(float)
    by_resource: dict[int, float] = defaultdict(float)
    series: set[str] = set()
    for booking in bookings:
        hours = (min(booking.end_utc, after) - max(booking.start_utc, first)).total_seconds() / 3600
        by_resource[booking.resource_id] += hours
        if booking.association_slug:
            by_association[booking.association_name or booking.association_slug] += hours
        if booking.series_id:
            series.add(booking.series_id)
        else:
            stats.single += 1
    stats.series = len(series)
    stats.associations = len(by_association)
    stats.hours_by_association = dict(sorted(by_association.items(), key=lambda i: (-i[1], i[0])))
    stats.hours_by_resource = {
        resources[rid].name: round(h, 1) for rid, h in sorted(by_resource.items()) if rid in resources
    }
    rooms = [rid for rid, r in resources.items() if r.kind == Kind.ROOM and rid is not None]
    hours_of = days.opening_hours_for(db, rooms)
    closed_of = days.closed_days_for(db, rooms, start, end)
    for rid in rooms:
        resource = resources[rid]
        open_hours = _open_hours(hours_of[rid], closed_of[rid], start, end)
        if open_hours:
            stats.occupancy[resource.name] = round(100 * by_resource.get(rid, 0.0) / open_hours, 1)
    return stats


def _open_hours(hours: dict[int, tuple[int, int]], closed: dict[date, str], start: date, end: date) -> float:
    total = 0
    day = start
    while day <= end:
        if day not in closed and day.weekday() in hours:
            opens, closes = hours[day.weekday()]
            total += closes - opens
        day += timedelta(days=1)
    return total / 60


def figures(site: Site, db: Session, start: date, end: date) -> list[Figure]:
    stats = compute(site, db, start, end)
    found = [
        Figure("Föreningar som använt Föreningarnas hus", stats.associations, "föreningar", PLUGIN),
        Figure("Bokade timmar i Föreningarnas hus", round(sum(stats.hours_by_resource.values()), 1), "timmar", PLUGIN),
        Figure("Återkommande bokningsserier", stats.series, "serier", PLUGIN),
        Figure("Enstaka bokningar", stats.single, "bokningar", PLUGIN),
    ]
    found += [
        Figure(f"Bokade timmar: {name}", hours, "timmar", PLUGIN) for name, hours in stats.hours_by_resource.items()
    ]
    found += [Figure(f"Beläggning: {name}", pct, "procent", PLUGIN) for name, pct in stats.occupancy.items()]
    found += [
        Figure(f"Bokade timmar, förening: {name}", round(hours, 1), "timmar", PLUGIN)
        for name, hours in stats.hours_by_association.items()
    ]
    return found


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    y: int
    width: float


def bars(values: dict[str, float], width: int = 290, row: int = 46) -> tuple[list[Bar], int]:
    """Horizontal bars for an SVG chart drawn by the template, and its height.

    Drawn for a phone, as core's other charts are (plugins/fritidsbanken/
    charts.py): 360 units wide with 14-unit text, each bar's name on a line
    of its own above it, so on a 375 px screen a label is about 13 px."""
    top = max(values.values(), default=0) or 1
    found = [Bar(label, value, n * row, width * value / top) for n, (label, value) in enumerate(values.items())]
    return found, max(row, row * len(found))
