"""Series: an RRULE with exceptions (EXDATE), checked when saved and
expanded into occurrences with ``recurring-ical-events`` (which reads the
same VEVENT the .ics gives out, so pages and calendars agree, DST included).

A series must end (UNTIL or COUNT) and stay under the site's
``max_occurrences``: its last occurrence is stored so a page can ask the
database for what touches a range without expanding every series.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING

import icalendar
import recurring_ical_events
from dateutil.rrule import rrulestr

from core.api import gettext as _
from plugins.evenemang import times

if TYPE_CHECKING:
    from collections.abc import Iterable

    from plugins.evenemang.models import Event

#: The simple choices the form offers; an admin may also write an RRULE.
FREQUENCIES = ("", "weekly", "biweekly", "monthly-weekday", "monthly-date")
_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


class RuleProblem(ValueError):
    """Why a series cannot be saved, in the visitor's language."""


def simple_rule(frequency: str, start: datetime, until: date | None) -> str:
    """The RRULE for a choice of the form (``FREQUENCIES``), ending on
    ``until`` (inclusive; ``normalise`` turns it into RFC 5545's form)."""
    if not frequency:
        return ""
    day = _DAYS[start.weekday()]
    parts = {
        "weekly": f"FREQ=WEEKLY;BYDAY={day}",
        "biweekly": f"FREQ=WEEKLY;INTERVAL=2;BYDAY={day}",
        "monthly-weekday": f"FREQ=MONTHLY;BYDAY={min(5, (start.day - 1) // 7 + 1)}{day}",
        "monthly-date": f"FREQ=MONTHLY;BYMONTHDAY={start.day}",
    }[frequency]
    if until is not None:
        parts += f";UNTIL={until:%Y%m%d}"
    return parts


def normalise(rule: str, all_day: bool, tz: str) -> str:
    """``rule`` with UNTIL as RFC 5545 wants it next to DTSTART: a DATE for
    an all-day series, else a UTC time ending in Z (a bare date means the
    end of that day in ``tz``)."""
    parts = []
    for part in rule.strip().removeprefix("RRULE:").split(";"):
        name, _eq, value = part.partition("=")
        if name.upper() == "UNTIL" and value:
            value = _until(value.strip(), all_day, tz)
        parts.append(f"{name.upper()}={value}" if _eq else part)
    return ";".join(p for p in parts if p)


def _until(value: str, all_day: bool, tz: str) -> str:
    try:
        if len(value) == 8:
            moment = datetime.strptime(value, "%Y%m%d").replace(hour=23, minute=59, second=59)
        elif value.endswith("Z"):
            if all_day:
                return value[:8]
            return value
        else:
            moment = datetime.strptime(value[:15], "%Y%m%dT%H%M%S")
    except ValueError:
        return value  # left for the check to refuse
    if all_day:
        return f"{moment:%Y%m%d}"
    return f"{times.to_utc(moment, tz):%Y%m%dT%H%M%S}Z"


def frequency_of(rule: str) -> str:
    """The form's choice that gives ``rule``, or "custom"."""
    if not rule:
        return ""
    body = rule.split(";UNTIL=")[0]
    if body.startswith("FREQ=WEEKLY;INTERVAL=2;BYDAY=") and len(body) == 31:
        return "biweekly"
    if body.startswith("FREQ=WEEKLY;BYDAY=") and len(body) == 20:
        return "weekly"
    if body.startswith("FREQ=MONTHLY;BYDAY="):
        return "monthly-weekday"
    if body.startswith("FREQ=MONTHLY;BYMONTHDAY="):
        return "monthly-date"
    return "custom"


def until_of(rule: str, tz: str) -> date | None:
    """The last day of a series as the form shows it (UNTIL read back in ``tz``)."""
    for part in rule.split(";"):
        if part.startswith("UNTIL="):
            value = part[6:]
            try:
                if value.endswith("Z"):
                    moment = datetime.strptime(value[:15], "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
                    return moment.astimezone(times.zone(tz)).date()
                return datetime.strptime(value[:8], "%Y%m%d").date()
            except ValueError:
                return None
    return None


def parse_exdates(text: str) -> list[date]:
    """Exception dates from "2026-12-24, 2026-12-31" (also spaces or new
    lines between them); raises ``RuleProblem`` naming the bad one."""
    found: list[date] = []
    for word in text.replace(",", " ").split():
        try:
            found.append(date.fromisoformat(word))
        except ValueError:
            raise RuleProblem(
                _("”%(word)s” är inget datum. Skriv undantagen som ÅÅÅÅ-MM-DD, med kommatecken emellan.")
                % {"word": word[:20]}
            ) from None
    return sorted(set(found))


def check(rule: str, starts_at: datetime, tz: str, limit: int, all_day: bool = False) -> datetime:
    """Check the RRULE ``rule`` (normalised) for a series starting at
    ``starts_at`` (wall clock in ``tz``) and return the start of its last
    occurrence (wall clock). Refuses a rule that does not parse, never ends,
    or gives more than ``limit`` occurrences."""
    rule = rule.strip().removeprefix("RRULE:")
    upper = rule.upper()
    if "UNTIL=" not in upper and "COUNT=" not in upper:
        raise RuleProblem(
            _("En upprepning måste sluta: ange ett slutdatum (”till och med”) eller ett antal gånger (COUNT).")
        )
    try:
        start = starts_at if all_day else times.aware(starts_at, tz)
        parsed = rrulestr(rule, dtstart=start)
        icalendar.vRecur.from_ical(rule)  # what the .ics will write must read too
    except (ValueError, TypeError, OverflowError):
        raise RuleProblem(_("Upprepningsregeln går inte att läsa. Välj en upprepning i listan i stället.")) from None
    last: datetime | None = None
    try:
        moments = list(itertools.islice(parsed, limit + 1))
    except (ValueError, TypeError, OverflowError):
        raise RuleProblem(_("Upprepningsregeln går inte att läsa. Välj en upprepning i listan i stället.")) from None
    for index, moment in enumerate(moments):
        if index >= limit:
            raise RuleProblem(
                _("Serien blir längre än %(limit)s tillfällen. Välj ett tidigare slutdatum eller dela upp den.")
                % {"limit": limit}
            )
        last = moment
    if last is None:
        raise RuleProblem(_("Upprepningen ger inget enda tillfälle. Kontrollera startdatum och slutdatum."))
    return last.replace(tzinfo=None)


@dataclass(frozen=True)
class Occurrence:
    """One time an event takes place: ``start``/``end`` aware, in the
    event's zone (an all-day occurrence: midnight of its first day, and of
    its last day)."""

    event: Event
    start: datetime
    end: datetime

    @property
    def day(self) -> date:
        return self.start.date()

    @cached_property
    def instant(self) -> datetime:
        """The start in UTC: the order of occurrences in different zones."""
        return self.start.astimezone(UTC)

    @cached_property
    def days(self) -> list[date]:
        """Every day the occurrence touches (multi-day events show on each);
        worked out once per occurrence (the index keeps occurrences)."""
        last = self.end.date()
        if last == self.start.date():
            return [last]
        if not self.event.all_day and self.end.time() == datetime.min.time() and last > self.start.date():
            last -= timedelta(days=1)  # ends at midnight: not on that day
        count = max(0, (last - self.start.date()).days)
        return [self.start.date() + timedelta(days=n) for n in range(count + 1)]


def vevent_times(event: Event) -> tuple[datetime | date, datetime | date]:
    """DTSTART and DTEND as iCalendar writes them: dates for all-day (DTEND
    the day after the last), zone-aware datetimes otherwise."""
    if event.all_day:
        return event.starts_at.date(), event.ends_at.date() + timedelta(days=1)
    return times.aware(event.starts_at, event.tz), times.aware(event.ends_at, event.tz)


def exdate_values(event: Event) -> list[datetime | date]:
    """The EXDATEs as the same type as DTSTART (RFC 5545 requires it)."""
    days = []
    for word in event.exdates.split(","):
        try:
            days.append(date.fromisoformat(word.strip()))
        except ValueError:
            continue
    if event.all_day:
        return list(days)
    return [times.aware(datetime.combine(d, event.starts_at.time()), event.tz) for d in days]


def _expansion_vevent(event: Event, key: str) -> icalendar.Event:
    component = icalendar.Event()
    component.add("uid", key)
    start, end = vevent_times(event)
    component.add("dtstart", start)
    component.add("dtend", end)
    component.add("rrule", icalendar.vRecur.from_ical(event.rrule))
    exdates = exdate_values(event)
    if exdates:
        component.add("exdate", exdates)
    return component


@dataclass(frozen=True)
class _Series:
    """Every occurrence of one series: wall-clock spans and their UTC
    bounds, in order, for bisecting a range."""

    spans: tuple[tuple[datetime, datetime], ...]
    starts_utc: tuple[datetime, ...]
    ends_utc: tuple[datetime, ...]


#: Expanded series by everything that decides their occurrences: a series
#: is expanded once per process and change, not on every page (the month
#: grid with 500 series stays well under 50 ms).
_SERIES: dict[tuple[object, ...], _Series] = {}
_SERIES_LIMIT = 20000


def _series_key(event: Event) -> tuple[object, ...]:
    return (event.uid, event.starts_at, event.ends_at, event.all_day, event.tz, event.rrule, event.exdates)


def series_of(event: Event) -> _Series:
    """Every occurrence of the series ``event`` (cached, see ``_SERIES``)."""
    return _expand_series(event)


def _expand_series(event: Event) -> _Series:
    key = _series_key(event)
    cached = _SERIES.get(key)
    if cached is not None:
        return cached
    calendar = icalendar.Calendar()
    calendar.add_component(_expansion_vevent(event, event.uid))
    spans: list[tuple[datetime, datetime]] = []
    zone = times.zone(event.tz)
    for component in recurring_ical_events.of(calendar).all():
        begin, finish = component.decoded("DTSTART"), component.decoded("DTEND")
        if event.all_day:
            begin = datetime.combine(begin, datetime.min.time(), tzinfo=zone)
            finish = datetime.combine(finish - timedelta(days=1), datetime.min.time(), tzinfo=zone)
        else:
            begin, finish = begin.astimezone(zone), finish.astimezone(zone)
        spans.append((begin, finish))
        if len(spans) >= 5000:  # a stored series is checked to be far shorter; a peer's need not be
            break
    bounds = [times.span_utc(b.replace(tzinfo=None), f.replace(tzinfo=None), event.all_day, event.tz) for b, f in spans]
    series = _Series(tuple(spans), tuple(b[0] for b in bounds), tuple(b[1] for b in bounds))
    if len(_SERIES) >= _SERIES_LIMIT:
        _SERIES.clear()
    _SERIES[key] = series
    return series


def expand(events: Iterable[Event], start_utc: datetime, end_utc: datetime) -> list[Occurrence]:
    """Every occurrence of ``events`` that touches [start_utc, end_utc)
    (naive UTC), by start. One-off events need no expansion; a series is
    expanded whole by ``recurring-ical-events`` once (``_SERIES``) and the
    range is looked up in it."""
    found: list[Occurrence] = []
    for event in events:
        if event.rrule:
            series = _expand_series(event)
            first = bisect_right(series.ends_utc, start_utc)
            last = bisect_left(series.starts_utc, end_utc)
            found.extend(Occurrence(event, b, f) for b, f in series.spans[first:last])
            continue
        first_utc, last_utc = times.span_utc(event.starts_at, event.ends_at, event.all_day, event.tz)
        if first_utc < end_utc and last_utc > start_utc:
            found.append(_one(event, event.starts_at, event.ends_at))
    found.sort(key=lambda o: (o.start.replace(tzinfo=None), o.event.title))
    return found


def _one(event: Event, starts_at: datetime, ends_at: datetime) -> Occurrence:
    return Occurrence(event, times.aware(starts_at, event.tz), times.aware(ends_at, event.tz))
