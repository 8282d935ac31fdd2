"""When a resource may be booked: its opening hours per weekday, the
Swedish public holidays and eves (from the ``holidays`` package, as LISA
uses it) and the house's own closed days."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from holidays import DE_FACTO, PUBLIC
from holidays.countries.sweden import Sweden
from sqlmodel import Session, col, or_, select

from plugins.lokaler.models import ClosedDay, OpeningHours


@lru_cache(maxsize=32)
def _holidays_of(year: int) -> dict[date, str]:
    found = Sweden(years=year, categories=(PUBLIC, DE_FACTO), include_sundays=False, language="sv")
    return {day: name.replace("; ", ", ") for day, name in found.items()}


def holiday(day: date) -> str | None:
    """The Swedish public holiday or eve on ``day`` (its Swedish name), or None."""
    return _holidays_of(day.year).get(day)


def opening_hours(db: Session, resource_id: int) -> dict[int, tuple[int, int]]:
    """weekday (0 Monday) -> (opens, closes) in minutes after midnight."""
    rows = db.exec(select(OpeningHours).where(OpeningHours.resource_id == resource_id)).all()
    return {row.weekday: (row.opens, row.closes) for row in rows}


def closed_days(db: Session, resource_id: int, first: date, last: date) -> dict[date, str]:
    """The days in ``first..last`` the resource cannot be booked, with why:
    holidays, and the house's or this resource's closed days."""
    found: dict[date, str] = {}
    for year in range(first.year, last.year + 1):
        for day, name in _holidays_of(year).items():
            if first <= day <= last:
                found[day] = name
    rows = db.exec(
        select(ClosedDay).where(
            col(ClosedDay.day) >= first,
            col(ClosedDay.day) <= last,
            or_(col(ClosedDay.resource_id).is_(None), col(ClosedDay.resource_id) == resource_id),
        )
    ).all()
    for row in rows:
        found[row.day] = row.reason or found.get(row.day, "") or "stängt"
    return found


def opening_hours_for(db: Session, resource_ids: list[int]) -> dict[int, dict[int, tuple[int, int]]]:
    """``opening_hours`` of many resources in one query (statistics: issue 21)."""
    found: dict[int, dict[int, tuple[int, int]]] = {rid: {} for rid in resource_ids}
    rows = db.exec(select(OpeningHours).where(col(OpeningHours.resource_id).in_(resource_ids))).all()
    for row in rows:
        found[row.resource_id][row.weekday] = (row.opens, row.closes)
    return found


def closed_days_for(db: Session, resource_ids: list[int], first: date, last: date) -> dict[int, dict[date, str]]:
    """``closed_days`` of many resources in one query."""
    holidays = {
        day: name
        for year in range(first.year, last.year + 1)
        for day, name in _holidays_of(year).items()
        if first <= day <= last
    }
    found = {rid: dict(holidays) for rid in resource_ids}
    rows = db.exec(select(ClosedDay).where(col(ClosedDay.day) >= first, col(ClosedDay.day) <= last)).all()
    for row in rows:
        for rid in resource_ids if row.resource_id is None else [row.resource_id]:
            if rid in found:
                found[rid][row.day] = row.reason or found[rid].get(row.day, "") or "stängt"
    return found


def clock_text(minutes: int) -> str:
    """600 -> "10:00"; 1440 -> "24:00"."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
