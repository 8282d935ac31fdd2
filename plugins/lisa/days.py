"""Which hours apply on a given date: special hours first, then Swedish
public holidays and the eves most services close on (julafton,
midsommarafton, nyårsafton), then the week.

The holidays come from the ``holidays`` package (Sweden, categories
``public`` and ``de_facto``: the eves are de facto holidays there, not
public ones), so Easter and midsummer are never computed by hand here. A
service is closed on them unless it has special hours for that date or
says it keeps its hours on holidays (``Service.open_on_holidays``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from holidays import DE_FACTO, PUBLIC
from holidays.countries.sweden import Sweden
from sqlmodel import Session, col, select

from core.api import N_
from core.api import gettext as _
from plugins.lisa.directory import WEEKDAYS
from plugins.lisa.models import Schedule, Service, SpecialHours

#: The library's Swedish names and how LISA writes them mid-sentence
#: ("Stängt idag (juldagen)"), as msgids so the page's language shows.
HOLIDAY_NAMES: dict[str, str] = {
    "Nyårsdagen": N_("nyårsdagen"),
    "Trettondedag jul": N_("trettondedag jul"),
    "Långfredagen": N_("långfredagen"),
    "Påskdagen": N_("påskdagen"),
    "Annandag påsk": N_("annandag påsk"),
    "Första maj": N_("första maj"),
    "Kristi himmelsfärdsdag": N_("Kristi himmelsfärdsdag"),
    "Pingstdagen": N_("pingstdagen"),
    "Nationaldagen": N_("nationaldagen"),
    "Midsommarafton": N_("midsommarafton"),
    "Midsommardagen": N_("midsommardagen"),
    "Alla helgons dag": N_("alla helgons dag"),
    "Julafton": N_("julafton"),
    "Juldagen": N_("juldagen"),
    "Annandag jul": N_("annandag jul"),
    "Nyårsafton": N_("nyårsafton"),
}

MONTHS = [
    N_("januari"),
    N_("februari"),
    N_("mars"),
    N_("april"),
    N_("maj"),
    N_("juni"),
    N_("juli"),
    N_("augusti"),
    N_("september"),
    N_("oktober"),
    N_("november"),
    N_("december"),
]

#: Said in HSDS schedule ``notes`` on the weekly rows, so another directory
#: knows, and an import back restores, what happens on holidays.
HSDS_KEEPS_HOURS = "Samma öppettider även på helgdagar."
HSDS_CLOSES = "Stängt på helgdagar och på jul-, midsommar- och nyårsafton."


@lru_cache(maxsize=32)
def _holidays_of(year: int) -> dict[date, str]:
    found = Sweden(years=year, categories=(PUBLIC, DE_FACTO), include_sundays=False, language="sv")
    # Two on one date come joined with "; " (nationaldagen on pingstdagen).
    return {day: ", ".join(HOLIDAY_NAMES.get(n, n) for n in name.split("; ")) for day, name in found.items()}


def holiday(day: date) -> str | None:
    """The holiday or eve on ``day`` as a Swedish msgid, or None."""
    return _holidays_of(day.year).get(day)


@dataclass(frozen=True)
class Day:
    """One date's hours for one service, and why they differ, if they do."""

    day: date
    hours: tuple[tuple[time, time], ...]
    holiday: str | None = None
    special: SpecialHours | None = None

    @property
    def closed(self) -> bool:
        return not self.hours

    @property
    def unusual(self) -> bool:
        """A holiday or special hours: worth a mark in the week's list."""
        return self.holiday is not None or self.special is not None

    @property
    def reason(self) -> str:
        """Why, in the visitor's language: the note or the holiday."""
        if self.special is not None and self.special.note:
            return self.special.note
        return _(self.holiday) if self.holiday else ""


def hours_on(
    day: date, weekly: Iterable[Schedule], specials: Iterable[SpecialHours], open_on_holidays: bool = False
) -> Day:
    name = holiday(day)
    special = next((s for s in specials if s.covers(day)), None)
    if special is not None:
        return Day(day, () if special.hours is None else (special.hours,), name, special)
    if name and not open_on_holidays:
        return Day(day, (), name)
    return Day(day, tuple((s.opens_at, s.closes_at) for s in weekly if s.weekday == day.weekday()), name)


def is_open(
    weekly: list[Schedule],
    specials: list[SpecialHours],
    open_on_holidays: bool,
    at: datetime,
    tz: ZoneInfo,
) -> bool:
    """Whether ``at`` falls in today's hours, or in yesterday's that run
    past midnight (an opening that closes at or before it opens)."""
    local = at.astimezone(tz)
    today, now = local.date(), local.time().replace(tzinfo=None)
    for opens, closes in hours_on(today, weekly, specials, open_on_holidays).hours:
        if opens <= now < closes or (closes <= opens and now >= opens):
            return True
    yesterday = hours_on(today - timedelta(days=1), weekly, specials, open_on_holidays)
    return any(closes <= opens and now < closes for opens, closes in yesterday.hours)


def week(
    start: date, weekly: list[Schedule], specials: list[SpecialHours], open_on_holidays: bool, days: int = 7
) -> list[Day]:
    return [hours_on(start + timedelta(days=i), weekly, specials, open_on_holidays) for i in range(days)]


# -- words ----------------------------------------------------------------------------


def span(opens: time, closes: time) -> str:
    # Translators: a strftime pattern for times of day in opening hours; Swedish writes 10.00.
    pattern = _("%H.%M")
    return f"{opens.strftime(pattern)}–{closes.strftime(pattern)}"


def date_text(day: date, *, weekday: bool = True) -> str:
    """ "fredag 25 december" in the page's language."""
    text = _("%(day)s %(month)s") % {"day": day.day, "month": _(MONTHS[day.month - 1])}
    return f"{_(WEEKDAYS[day.weekday()])} {text}" if weekday else text


def range_text(first: date, last: date) -> str:
    """ "24–26 december", "30 december–2 januari" or "25 december"."""
    if first == last:
        return date_text(first, weekday=False)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{date_text(last, weekday=False)}"
    return f"{date_text(first, weekday=False)}–{date_text(last, weekday=False)}"


def hours_text(d: Day) -> str:
    return ", ".join(span(o, c) for o, c in d.hours) if d.hours else _("stängt")


def today_text(d: Day) -> str:
    """ "Stängt idag (juldagen)", "Öppet idag 10.00–14.00 (nyårsafton)"."""
    reason = d.reason
    if d.closed:
        return _("Stängt idag (%(reason)s)") % {"reason": reason} if reason else _("Stängt idag")
    hours = hours_text(d)
    if reason:
        return _("Öppet idag %(hours)s (%(reason)s)") % {"hours": hours, "reason": reason}
    return _("Öppet idag %(hours)s") % {"hours": hours}


def day_line(d: Day) -> str:
    """ "fredag 25 december: stängt (juldagen)" for the week's list."""
    line = f"{date_text(d.day)}: {hours_text(d)}"
    return f"{line} ({d.reason})" if d.reason else line


def special_text(s: SpecialHours) -> str:
    """ "24–26 december: stängt" for lists of special hours."""
    what = _("stängt") if s.hours is None else span(*s.hours)
    line = f"{range_text(s.starts_on, s.ends_on)}: {what}"
    return f"{line} ({s.note})" if s.note else line


# -- loading ----------------------------------------------------------------------------


def specials_for(session: Session, service_ids: list[int], since: date | None = None) -> dict[int, list[SpecialHours]]:
    """Every listed service's special hours (ending on ``since`` or later)
    in one query, for result lists."""
    found: dict[int, list[SpecialHours]] = {i: [] for i in service_ids}
    if not service_ids:
        return found
    statement = select(SpecialHours).where(col(SpecialHours.service_id).in_(service_ids))
    if since is not None:
        statement = statement.where(col(SpecialHours.ends_on) >= since)
    for row in session.exec(statement.order_by(col(SpecialHours.starts_on), col(SpecialHours.id))).all():
        found[row.service_id].append(row)
    return found


def specials_of(session: Session, service: Service, since: date | None = None) -> list[SpecialHours]:
    return specials_for(session, [service.id or 0], since)[service.id or 0]
