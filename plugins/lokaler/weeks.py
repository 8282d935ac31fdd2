"""The week views: one resource's free and busy hours ("Lediga tider"),
and the whole house's week for staff. Built from one query per view."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from core.api import PlaceUse
from plugins.lokaler import days, store
from plugins.lokaler.models import Booking, Resource


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def parse_week(value: str | None, today: date) -> date:
    """The Monday of the week asked for with ``?vecka=YYYY-MM-DD`` (any day
    of it), else this week's."""
    try:
        return monday_of(date.fromisoformat(value or ""))
    except ValueError:
        return monday_of(today)


def local(value: datetime, zone: ZoneInfo) -> datetime:
    return value.replace(tzinfo=UTC).astimezone(zone)


def utc_naive(day: date, zone: ZoneInfo, at: time = time(0, 0)) -> datetime:
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


@dataclass
class Cell:
    state: str  # "free", "busy", "closed", "past"
    start: datetime  # local, aware
    bookings: list[Booking] = field(default_factory=list)
    why: str = ""  # a holiday's name
    #: Events held in the room (from the events plugin, ``place_uses``).
    events: list[PlaceUse] = field(default_factory=list)
    #: "18:00": written once here, not by the template for every cell.
    clock: str = ""
    #: A free cell's query to the booking form ("?datum=2027-03-09&fran=18:00").
    query: str = ""


@dataclass
class Week:
    monday: date
    days: list[date]
    rows: list[tuple[str, list[Cell]]]  # ("18:00", a cell per day)
    bookings: list[Booking]
    #: The resource's opening hours (weekday -> (opens, closes) in minutes), read once for the page.
    hours: dict[int, tuple[int, int]] = field(default_factory=dict)


def resource_week(
    db: Session, resource: Resource, monday: date, zone: ZoneInfo, now: datetime, uses: list[PlaceUse] | None = None
) -> Week:
    """Hour by hour over the resource's opening hours of the week; ``uses``
    are the events other plugins hold in the room that week. Each day's
    bookings and events are picked out once, so a cell looks only at its
    own day's (the week page's p95 goal is 50 ms, bench/lokaler.py)."""
    assert resource.id is not None
    week_days = [monday + timedelta(days=n) for n in range(7)]
    hours = days.opening_hours(db, resource.id)
    closed = days.closed_days(db, resource.id, week_days[0], week_days[-1])
    first = min((o for o, _c in hours.values()), default=8 * 60) // 60
    last = -(-max((c for _o, c in hours.values()), default=22 * 60) // 60)
    start_utc = utc_naive(week_days[0], zone)
    end_utc = utc_naive(week_days[-1] + timedelta(days=1), zone)
    bookings = store.busy_between(db, [resource.id], start_utc, end_utc)
    held_uses = uses or []
    columns: list[list[Cell]] = []
    for day in week_days:
        opening = hours.get(day.weekday())
        why = closed.get(day)
        day_start = utc_naive(day, zone)
        day_end = utc_naive(day + timedelta(days=1), zone)
        todays = [b for b in bookings if b.start_utc < day_end and b.end_utc > day_start]
        local_start = datetime.combine(day, time(0), tzinfo=zone)
        todays_uses = [u for u in held_uses if u.start < local_start + timedelta(days=1) and u.end > local_start]
        iso = day.isoformat()
        column = []
        for hour in range(first, last):
            slot_start = datetime.combine(day, time(hour), tzinfo=zone)
            clock = f"{hour:02d}:00"
            if why is not None:
                column.append(Cell("closed", slot_start, why=why, clock=clock))
                continue
            if opening is None or hour * 60 < opening[0] or (hour + 1) * 60 > opening[1]:
                column.append(Cell("closed", slot_start, clock=clock))
                continue
            slot_end = slot_start + timedelta(hours=1)
            s_utc = slot_start.astimezone(UTC).replace(tzinfo=None)
            e_utc = slot_end.astimezone(UTC).replace(tzinfo=None)
            here = [b for b in todays if b.start_utc < e_utc and b.end_utc > s_utc] if todays else []
            held = [u for u in todays_uses if u.start < slot_end and u.end > slot_start] if todays_uses else []
            if here or held:
                column.append(Cell("busy", slot_start, here, events=held, clock=clock))
            elif slot_start <= now:  # booking a time that has begun is refused (slots.check_rules)
                column.append(Cell("past", slot_start, clock=clock))
            else:
                column.append(Cell("free", slot_start, clock=clock, query=f"?datum={iso}&fran={clock}"))
        columns.append(column)
    rows = [(f"{hour:02d}:00", [column[n] for column in columns]) for n, hour in enumerate(range(first, last))]
    return Week(monday, week_days, rows, bookings, hours)


def house_week(
    db: Session, resources: list[Resource], monday: date, zone: ZoneInfo, length: int = 7
) -> dict[tuple[int, date], list[Booking]]:
    """(resource id, local day) -> that day's active bookings, by start."""
    ids = [r.id for r in resources if r.id is not None]
    found: dict[tuple[int, date], list[Booking]] = {}
    start_utc = utc_naive(monday, zone)
    end_utc = utc_naive(monday + timedelta(days=length), zone)
    for booking in store.busy_between(db, ids, start_utc, end_utc):
        day = local(booking.start_utc, zone).date()
        found.setdefault((booking.resource_id, day), []).append(booking)
    return found
