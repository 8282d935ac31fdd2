"""A wanted time, from what a person typed (a local date and clock times)
to UTC, and the rules it must keep: opening hours, closed days, length,
how far ahead, midnight and the daylight-saving change. Each broken rule is
one Swedish sentence that says what to do."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.api import gettext as _
from plugins.lokaler.days import clock_text
from plugins.lokaler.models import Resource


@dataclass
class Slot:
    """One wanted booking: local wall-clock times and the same in naive UTC."""

    start_local: datetime  # aware, in the site's zone
    end_local: datetime
    problems: list[str] = field(default_factory=list)

    @property
    def start_utc(self) -> datetime:
        return self.start_local.astimezone(UTC).replace(tzinfo=None)

    @property
    def end_utc(self) -> datetime:
        return self.end_local.astimezone(UTC).replace(tzinfo=None)

    @property
    def day(self) -> date:
        return self.start_local.date()


def exists(local: datetime, zone: ZoneInfo) -> bool:
    """False for a wall-clock time the clocks skip (02:30 on the last
    Sunday of March in Sweden): it does not survive a trip through UTC."""
    aware = local.replace(tzinfo=zone)
    return aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local


def make_slot(day: date, start: time, end: time, zone: ZoneInfo, end_day: date | None = None) -> Slot:
    """The slot for ``day`` from ``start`` to ``end`` (on ``end_day`` when
    given; an end of 00:00 on the same day means midnight). Problems with
    the times themselves are recorded on the slot."""
    problems: list[str] = []
    if end_day == day:
        end_day = None  # the end date field defaults to the start date
    last = end_day or day
    if end_day is None and end == time(0, 0) and start != time(0, 0):
        last = day + timedelta(days=1)
    start_naive = datetime.combine(day, start)
    end_naive = datetime.combine(last, end)
    for moment in (start_naive, end_naive):
        if not exists(moment, zone):
            problems.append(
                _(
                    "Klockan %(time)s finns inte den %(day)s: klockan ställs fram en timme den natten. "
                    "Välj en tid före 02:00 eller från 03:00."
                )
                % {"time": moment.strftime("%H:%M"), "day": moment.date().isoformat()}
            )
    slot = Slot(start_naive.replace(tzinfo=zone), end_naive.replace(tzinfo=zone), problems)
    if end_naive <= start_naive:
        if end_day is None and end < start and end <= time(6, 0):
            # 23:00–01:00: the person meant to book past midnight (20:00–18:00 is a slip of the keys).
            slot.problems.append(
                _(
                    "Sluttiden %(end)s är före starttiden %(start)s. Slutar bokningen efter midnatt? Skriv då nästa "
                    "dags datum som slutdatum (det går där öppettiderna tillåter det), eller skriv 00:00 som sluttid."
                )
                % {"start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")}
            )
        else:
            slot.problems.append(_("Sluttiden måste vara efter starttiden."))
    return slot


def check_rules(
    slot: Slot,
    resource: Resource,
    hours: dict[int, tuple[int, int]],
    closed: dict[date, str],
    now: datetime,
) -> list[str]:
    """The slot's problems against the resource's rules (besides other
    bookings, which ``store.py`` checks). ``now`` is aware."""
    problems = list(slot.problems)
    if problems:
        return problems
    start, end = slot.start_local, slot.end_local
    minutes = int((slot.end_utc - slot.start_utc).total_seconds() // 60)
    if start <= now:
        problems.append(_("Tiden har redan varit. Välj en tid framåt."))
    elif (start.date() - now.astimezone(start.tzinfo).date()).days > resource.max_days_ahead:
        problems.append(
            _("%(name)s kan bokas högst %(days)s dagar i förväg.")
            % {"name": resource.name, "days": resource.max_days_ahead}
        )
    # The last local day the booking uses, and its end there in minutes (1440: to midnight).
    last, end_min = end.date(), end.hour * 60 + end.minute
    if end.time() == time(0, 0):
        last, end_min = end.date() - timedelta(days=1), 1440
    start_min = start.hour * 60 + start.minute
    crosses = last != start.date()
    if minutes < resource.min_minutes:
        problems.append(_("Bokningen är för kort: minst %(n)s minuter.") % {"n": resource.min_minutes})
    longest = min(resource.max_minutes, 14 * 24 * 60)  # store.LONGEST: no booking is longer
    if minutes > longest:
        problems.append(_("Bokningen är för lång: högst %(n)s minuter.") % {"n": longest})
    span = [start.date() + timedelta(n) for n in range((last - start.date()).days + 1)] if crosses else [start.date()]
    for day in span:
        if day in closed:
            problems.append(_("Huset är stängt %(day)s (%(why)s).") % {"day": day.isoformat(), "why": closed[day]})
    # Each day's part must lie within that day's opening hours: a booking runs
    # past midnight only where the hours do (open to 24:00 and again from 00:00).
    outside = []
    for day in span:
        opening = hours.get(day.weekday())
        part_start = start_min if day == start.date() else 0
        part_end = end_min if day == last else 1440
        if opening is None:
            outside.append(
                _("%(name)s är stängt på %(weekday)s.") % {"name": resource.name, "weekday": _weekday_of(day)}
            )
        elif part_start < opening[0] or part_end > opening[1]:
            outside.append(
                _("Tiden ligger utanför öppettiderna: %(weekday)s %(opens)s–%(closes)s.")
                % {"weekday": _weekday_of(day), "opens": clock_text(opening[0]), "closes": clock_text(opening[1])}
            )
    if crosses and outside and not resource.overnight and not _open_over_midnight(hours, span):
        problems.append(
            _("%(name)s kan inte bokas över midnatt. Dela upp bokningen per dag.") % {"name": resource.name}
        )
    problems.extend(outside)
    return problems


def _open_over_midnight(hours: dict[int, tuple[int, int]], span: list[date]) -> bool:
    """Whether the hours run on through each midnight of ``span`` (open to
    24:00 one day and from 00:00 the next)."""
    for day, following in zip(span, span[1:], strict=False):
        today, tomorrow = hours.get(day.weekday()), hours.get(following.weekday())
        if today is None or tomorrow is None or today[1] != 1440 or tomorrow[0] != 0:
            return False
    return True


def _weekday_of(day: date) -> str:
    from plugins.lokaler.models import WEEKDAYS

    return _(WEEKDAYS[day.weekday()])


def weekly(first: Slot, until: date, zone: ZoneInfo) -> list[Slot]:
    """The same wall-clock times every week from ``first`` through ``until``
    (each date's own UTC offset, so 18:00 stays 18:00 across the DST change)."""
    slots = []
    day = first.day
    start_t, end_t = first.start_local.time(), first.end_local.time()
    span = (first.end_local.date() - first.start_local.date()).days
    while day <= until:
        end_day = day + timedelta(days=span)
        slots.append(make_slot(day, start_t, end_t, zone, end_day if span else None))
        day += timedelta(days=7)
    return slots
