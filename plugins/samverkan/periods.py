"""The report's periods as the IOP sets them: tertials (January-April,
May-August, September-December), the whole year, or any custom range. Each
period knows the one before it, which the report shows beside every figure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from core.api import gettext as _

TERTIALS = ((1, 4), (5, 8), (9, 12))
_KEY = re.compile(r"^(\d{4})(?:-T([123]))?$")


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    key: str = ""  # "2026-T2", "2026" or "" for a custom range

    @property
    def label(self) -> str:
        match = _KEY.match(self.key)
        if match and match.group(2):
            return _("Tertial %(n)s %(year)s") % {"n": match.group(2), "year": match.group(1)}
        if match:
            return _("Helår %(year)s") % {"year": match.group(1)}
        return f"{self.start.isoformat()} – {self.end.isoformat()}"

    def previous(self) -> Period:
        match = _KEY.match(self.key)
        if match and match.group(2):
            year, n = int(match.group(1)), int(match.group(2))
            return tertial(year - 1, 3) if n == 1 else tertial(year, n - 1)
        if match:
            return whole_year(int(match.group(1)) - 1)
        length = self.end - self.start
        end = self.start - timedelta(days=1)
        return Period(end - length, end)


def _last_day(year: int, month: int) -> date:
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def tertial(year: int, n: int) -> Period:
    first, last = TERTIALS[n - 1]
    return Period(date(year, first, 1), _last_day(year, last), f"{year}-T{n}")


def whole_year(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31), str(year))


def tertial_of(day: date) -> Period:
    return tertial(day.year, (day.month - 1) // 4 + 1)


def last_tertial(today: date) -> Period:
    """The last tertial that has ended: what the samverkansgrupp reviews next."""
    return tertial_of(tertial_of(today).start - timedelta(days=1))


def choices(today: date) -> list[Period]:
    """The periods offered in the report's menu: this year's and last year's."""
    found: list[Period] = []
    for year in (today.year, today.year - 1):
        found += [tertial(year, n) for n in (1, 2, 3) if date(year, TERTIALS[n - 1][0], 1) <= today]
        found.append(whole_year(year))
    return found


def parse(key: str, start: str, end: str, today: date) -> tuple[Period, str | None]:
    """The period asked for (a key, or from/to dates), and an error in Swedish;
    on an error, the last tertial."""
    fallback = last_tertial(today)
    if start or end:
        try:
            first, last = date.fromisoformat(start), date.fromisoformat(end)
        except ValueError:
            return fallback, _("Skriv båda datumen som ÅÅÅÅ-MM-DD, till exempel 2026-01-31.")
        if last < first:
            return fallback, _("Perioden slutar innan den börjar. Byt plats på datumen eller rätta dem.")
        if first.year < 1900 or last.year > 2200:
            return fallback, _("Välj en period mellan år 1900 och 2200.")
        return Period(first, last), None
    if not key:
        return fallback, None
    match = _KEY.match(key)
    if not match or not 1900 <= int(match.group(1)) <= 2200:
        return fallback, _("Okänd period. Välj en i listan.")
    year = int(match.group(1))
    return (tertial(year, int(match.group(2))) if match.group(2) else whole_year(year)), None
