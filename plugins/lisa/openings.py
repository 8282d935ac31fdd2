"""Opening hours as people write them, one line per opening:

    måndag 10.00–14.00
    tis 9-12
    onsdag 18:30-21
    Thursday 10:00-12:00

Parsed into weekly openings (weekday, opens, closes) and written back the
same way, so staff edit a short text instead of a grid of time fields. Day
names may be Swedish or English, whichever the person writing knows; the
text is written back in the language of the page.
"""

from __future__ import annotations

import re
from datetime import time

from core.api import N_
from core.api import gettext as _
from plugins.lisa.directory import WEEKDAYS, fold, opening_line

_ENGLISH = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
#: Every accepted day name (folded) and its weekday. No two days share a
#: two-letter start across the languages, so abbreviations stay unambiguous.
_DAYS = {fold(name): i for names in (WEEKDAYS, _ENGLISH) for i, name in enumerate(names)}
_LINE = re.compile(
    r"^\s*(?P<day>[a-zåäö]+)\s+(?P<h1>\d{1,2})(?:[.:](?P<m1>\d{2}))?\s*[-–—]\s*(?P<h2>\d{1,2})(?:[.:](?P<m2>\d{2}))?\s*$",
    re.IGNORECASE,
)
EXAMPLE = N_("Skriv en öppettid per rad, till exempel ”måndag 10.00–14.00” eller ”tis 9–12”.")


class OpeningsError(ValueError):
    """A line that could not be read; the message says which and how to fix it."""


def _fail(message: str, line: str) -> OpeningsError:
    """The error in the visitor's language, with the example to follow."""
    return OpeningsError(_(message) % {"line": line} + " " + _(EXAMPLE))


def _day(word: str) -> int:
    key = fold(word)
    for name, index in _DAYS.items():
        if len(key) >= 2 and name.startswith(key):
            return index
    message = _("”%(word)s” är ingen veckodag.") % {"word": word}
    raise OpeningsError(message + " " + _(EXAMPLE))


def _time(hour: str, minute: str | None, line: str) -> time:
    h, m = int(hour), int(minute or 0)
    if h == 24 and m == 0:
        return time(23, 59)
    if not (0 <= h <= 23 and 0 <= m <= 59):
        raise _fail(N_("Tiden på raden ”%(line)s” finns inte."), line)
    return time(h, m)


def parse(text: str) -> list[tuple[int, time, time]]:
    openings = []
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line:
            continue
        found = _LINE.match(line)
        if not found:
            raise _fail(N_("Raden ”%(line)s” gick inte att läsa."), line)
        opens = _time(found["h1"], found["m1"], line)
        closes = _time(found["h2"], found["m2"], line)
        if opens == closes:
            raise _fail(N_("På raden ”%(line)s” öppnar och stänger det samma tid."), line)
        openings.append((_day(found["day"]), opens, closes))
    return sorted(openings)


def format_lines(openings: list[tuple[int, time, time]]) -> str:
    """The openings as text to edit, in the page's language."""
    return "\n".join(opening_line(d, o, c) for d, o, c in openings)


def normalise(text: str) -> str:
    """The same openings written the one way this page writes them, so a
    proposal in either language compares equal to what is stored."""
    try:
        return format_lines(parse(text))
    except OpeningsError:
        return text
