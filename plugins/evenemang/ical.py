"""iCalendar (RFC 5545) for the site, an association and one event.

Stable UIDs (``Event.uid``, minted once), SEQUENCE from ``Event.sequence``,
STATUS:CANCELLED for a cancelled event (it stays in subscribed calendars,
marked), RRULE/EXDATE for series and a VTIMEZONE for every TZID
(``add_missing_timezones``). Answers conditional GET from a fingerprint the
database gives cheaply, so an unchanged calendar is never built again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache

import icalendar
from icalendar.parser import param_value
from sqlalchemy import func
from sqlmodel import Session, col, select
from starlette.requests import Request
from starlette.responses import Response

from core.api import Site, absolute_url_for, plain_text
from plugins.evenemang import recurrence
from plugins.evenemang.models import Event, Organiser, Status

#: Sweden's time zone in the rule form (the EU's last Sundays of March and
#: October, in force since 1996), which every client reads; the RDATE list
#: ``add_missing_timezones`` writes is valid too, but dateutil (and so
#: vobject and many CalDAV tools) misreads it as CET all year.
#: ``tests/evenemang/test_ical.py`` checks it against zoneinfo day by day.
STOCKHOLM_VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/Stockholm
X-LIC-LOCATION:Europe/Stockholm
BEGIN:DAYLIGHT
TZNAME:CEST
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZNAME:CET
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
"""

_ICAL_STATUS = {Status.CANCELLED: "CANCELLED", Status.SCHEDULED: "CONFIRMED", Status.FULL: "CONFIRMED"}


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _text(value: str) -> str:
    """A TEXT value escaped as RFC 5545 3.3.11 says (backslash first), line
    breaks of any kind written as ``\\n``: the rule the iCalendar library
    applies (its ``escape_char``, deprecated for version 8)."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line: str) -> str:
    """RFC 5545 3.1: lines of at most 75 octets, continued after CRLF and a
    space, never splitting a UTF-8 character."""
    if len(line) <= 75 and line.isascii():
        return line
    data = line.encode()
    if len(data) <= 75:
        return line
    parts: list[str] = []
    start, width = 0, 75
    while start < len(data):
        end = min(start + width, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # inside a character: back off
            end -= 1
        parts.append(data[start:end].decode())
        start, width = end, 74
    return "\r\n ".join(parts)


def _utc_stamp(value: datetime) -> str:
    return f"{_utc(value):%Y%m%dT%H%M%SZ}"


def _moment(name: str, value: datetime | date | list[datetime] | list[date], tz: str) -> str:
    """DTSTART/DTEND/EXDATE: a DATE, or local times with their TZID."""
    values = value if isinstance(value, list) else [value]
    if values and not isinstance(values[0], datetime):
        return f"{name};VALUE=DATE:" + ",".join(f"{v:%Y%m%d}" for v in values)
    return f"{name};TZID={param_value(tz)}:" + ",".join(f"{v:%Y%m%dT%H%M%S}" for v in values)


@lru_cache(maxsize=2048)
def _rrule(rule: str) -> str:
    """The RRULE as the iCalendar library writes it (checked on save)."""
    return str(icalendar.vRecur.from_ical(rule).to_ical().decode())


def vevent(site: Site, event: Event, organisers: Sequence[str], url: str) -> str:
    """One VEVENT as iCalendar text, written line by line: the library's
    property objects cost about a millisecond an event, too slow for a
    calendar of 5,000 (issue 14: built in under a second). Text and
    parameters are escaped by the library's own functions, and
    ``tests/evenemang/test_ical_text.py`` checks that both parsers read
    every property as they read the library-built component."""
    lines = [
        "BEGIN:VEVENT",
        f"UID:{_text(event.uid)}",
        f"DTSTAMP:{_utc_stamp(event.updated_at)}",
        f"CREATED:{_utc_stamp(event.created_at)}",
        f"LAST-MODIFIED:{_utc_stamp(event.updated_at)}",
        f"SEQUENCE:{int(event.sequence)}",
        f"SUMMARY:{_text(event.title)}",
    ]
    start, end = recurrence.vevent_times(event)
    lines.append(_moment("DTSTART", start, event.tz))
    lines.append(_moment("DTEND", end, event.tz))
    if event.rrule:
        lines.append(f"RRULE:{_rrule(event.rrule)}")
        exdates = recurrence.exdate_values(event)
        if exdates:
            lines.append(_moment("EXDATE", exdates, event.tz))
    text = event.summary or plain_text(event.description)
    if event.price and not event.is_free:
        text = f"{text}\n\nPris: {event.price}".strip()
    if text:
        lines.append(f"DESCRIPTION:{_text(text)}")
    place = ", ".join(p for p in (event.place_name, event.address, event.municipality) if p)
    if place:
        lines.append(f"LOCATION:{_text(place)}")
    if event.category:
        lines.append(f"CATEGORIES:{_text(event.category)}")
    if event.contact_email:
        name = ", ".join(organisers) or event.contact_name or site.name
        lines.append(f"ORGANIZER;CN={param_value(name)}:mailto:{event.contact_email}")
    lines.append(f"URL:{url}")
    status = _ICAL_STATUS.get(Status(event.status)) if event.status in set(Status) else None
    lines.append(f"STATUS:{status or 'TENTATIVE'}")  # postponed: a new date is not set yet
    lines.append("END:VEVENT")
    return "\r\n".join(_fold(line) for line in lines)


@lru_cache(maxsize=64)
def _vtimezone(tzid: str) -> str:
    """VTIMEZONE of a zone other than Stockholm's, as the library writes it."""
    return str(icalendar.Timezone.from_tzid(tzid).to_ical().decode()).rstrip("\r\n")


def calendar(site: Site, name: str, events: Sequence[Event], organisers: dict[int, list[str]]) -> bytes:
    """The VCALENDAR of ``events``: a VTIMEZONE for every zone a timed event
    uses (Stockholm's in rule form, see ``STOCKHOLM_VTIMEZONE``), then the
    VEVENTs."""
    link = event_link(site)
    return document(
        site,
        name,
        {e.tz for e in events if not e.all_day},
        [vevent(site, e, organisers.get(e.id or 0, []), link(e.id)) for e in events],
    )


def event_link(site: Site) -> Callable[[int | None], str]:
    """The absolute address of an event's page, from one ``absolute_url_for``
    (one route lookup for a calendar, not one per event)."""
    marker = 987654321
    before, _marker, after = absolute_url_for(site, "evenemang:event", event_id=marker).partition(str(marker))
    return lambda event_id: f"{before}{event_id}{after}"


def document(site: Site, name: str, zones: set[str], vevents: Sequence[str]) -> bytes:
    """The VCALENDAR around ready VEVENT texts, with the zones' VTIMEZONEs."""
    head = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{_text(f'-//Paraply//{site.name}//evenemang//SV')}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_text(name)}",
        f"X-WR-TIMEZONE:{_text(site.config.site.timezone)}",
    ]
    parts = ["\r\n".join(_fold(line) for line in head)]
    for tzid in sorted(zones):
        if tzid == "Europe/Stockholm":
            parts.append(STOCKHOLM_VTIMEZONE.strip().replace("\n", "\r\n"))
        else:
            parts.append(_vtimezone(tzid))
    parts.extend(vevents)
    parts.append("END:VCALENDAR\r\n")
    return "\r\n".join(parts).encode()


def organisers_where(db: Session, where: object) -> dict[int, list[str]]:
    """``organiser_names`` of the events ``where`` selects, in one query
    (a calendar of 5,000 events would bind 5,000 ids)."""
    found: dict[int, list[str]] = {}
    chosen = select(Event.id).where(where)  # type: ignore[arg-type]
    rows = db.exec(
        select(Organiser.event_id, Organiser.association_name)
        .where(col(Organiser.event_id).in_(chosen))
        .order_by(col(Organiser.id))
    ).all()
    for event_id, name in rows:
        found.setdefault(event_id, []).append(name)
    return found


def organiser_names(db: Session, ids: Sequence[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    if not ids:
        return found
    rows = db.exec(
        select(Organiser.event_id, Organiser.association_name)
        .where(col(Organiser.event_id).in_(list(ids)))
        .order_by(col(Organiser.id))
    ).all()
    for event_id, name in rows:  # two columns, not 5,000 objects
        found.setdefault(event_id, []).append(name)
    return found


def fingerprint(db: Session, statement_filter: object) -> tuple[str, datetime]:
    """ETag and Last-Modified of the events a calendar holds, from one
    aggregate query: any edit (updated_at, sequence) or a deletion or
    addition (count, sum of ids) changes it."""
    row = db.exec(
        select(
            func.count(col(Event.id)),
            func.max(col(Event.updated_at)),
            func.sum(col(Event.sequence)),
            func.sum(col(Event.id)),
        ).where(statement_filter)  # type: ignore[arg-type]
    ).one()
    count, newest, sequences, ids = row
    newest_utc = _utc(newest) if newest is not None else datetime(2000, 1, 1, tzinfo=UTC)
    digest = hashlib.sha256(f"{count}|{newest_utc.isoformat()}|{sequences}|{ids}".encode()).hexdigest()[:32]
    return f'"{digest}"', newest_utc.replace(microsecond=0)


def not_modified(request: Request, etag: str, modified: datetime) -> bool:
    """RFC 9110 section 13.2.2: If-None-Match decides when present, else
    If-Modified-Since."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
        return "*" in tags or etag in tags
    since_text = request.headers.get("if-modified-since")
    if since_text:
        try:
            since = parsedate_to_datetime(since_text)
        except (TypeError, ValueError, IndexError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return modified <= since
    return False


def response(request: Request, body: bytes | None, etag: str, modified: datetime, filename: str) -> Response:
    headers = {
        "ETag": etag,
        "Last-Modified": format_datetime(modified, usegmt=True),
        "Cache-Control": "max-age=300",
        "Content-Disposition": f'inline; filename="{filename}"',
    }
    if body is None:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="text/calendar; charset=utf-8", headers=headers)
