"""Opening hours as people write them, one line per opening:

    måndag 10.00–14.00
    tis 9-12
    onsdag 18:30-21

Parsed into weekly openings (weekday, opens, closes) and written back the
same way, so staff edit a short text instead of a grid of time fields.
"""

from __future__ import annotations

import re
from datetime import time

from plugins.lisa.directory import WEEKDAYS, fold

_DAYS = {fold(name): i for i, name in enumerate(WEEKDAYS)}
_LINE = re.compile(
    r"^\s*(?P<day>[a-zåäö]+)\s+(?P<h1>\d{1,2})(?:[.:](?P<m1>\d{2}))?\s*[-–—]\s*(?P<h2>\d{1,2})(?:[.:](?P<m2>\d{2}))?\s*$",
    re.IGNORECASE,
)
EXAMPLE = "Skriv en öppettid per rad, till exempel ”måndag 10.00–14.00” eller ”tis 9–12”."


class OpeningsError(ValueError):
    """A line that could not be read; the message says which and how to fix it."""


def _day(word: str) -> int:
    key = fold(word)
    for name, index in _DAYS.items():
        if len(key) >= 2 and name.startswith(key):
            return index
    raise OpeningsError(f"”{word}” är ingen veckodag. {EXAMPLE}")


def _time(hour: str, minute: str | None, line: str) -> time:
    h, m = int(hour), int(minute or 0)
    if h == 24 and m == 0:
        return time(23, 59)
    if not (0 <= h <= 23 and 0 <= m <= 59):
        raise OpeningsError(f"Tiden på raden ”{line}” finns inte. {EXAMPLE}")
    return time(h, m)


def parse(text: str) -> list[tuple[int, time, time]]:
    openings = []
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line:
            continue
        found = _LINE.match(line)
        if not found:
            raise OpeningsError(f"Raden ”{line}” gick inte att läsa. {EXAMPLE}")
        opens = _time(found["h1"], found["m1"], line)
        closes = _time(found["h2"], found["m2"], line)
        if opens == closes:
            raise OpeningsError(f"På raden ”{line}” öppnar och stänger det samma tid. {EXAMPLE}")
        openings.append((_day(found["day"]), opens, closes))
    return sorted(openings)


def format_lines(openings: list[tuple[int, time, time]]) -> str:
    return "\n".join(f"{WEEKDAYS[d]} {o.strftime('%H.%M')}–{c.strftime('%H.%M')}" for d, o, c in openings)
