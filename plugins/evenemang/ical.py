"""iCalendar (RFC 5545) for the site, an association and one event.

Stable UIDs (``Event.uid``, minted once), SEQUENCE from ``Event.sequence``,
STATUS:CANCELLED for a cancelled event (it stays in subscribed calendars,
marked), RRULE/EXDATE for series and a VTIMEZONE for every TZID
(``add_missing_timezones``). Answers conditional GET from a fingerprint the
database gives cheaply, so an unchanged calendar is never built again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

import icalendar
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


def vevent(site: Site, event: Event, organisers: Sequence[str]) -> icalendar.Event:
    component = icalendar.Event()
    component.add("uid", event.uid)
    component.add("dtstamp", _utc(event.updated_at))
    component.add("created", _utc(event.created_at))
    component.add("last-modified", _utc(event.updated_at))
    component.add("sequence", event.sequence)
    component.add("summary", event.title)
    start, end = recurrence.vevent_times(event)
    component.add("dtstart", start)
    component.add("dtend", end)
    if event.rrule:
        component.add("rrule", icalendar.vRecur.from_ical(event.rrule))
        exdates = recurrence.exdate_values(event)
        if exdates:
            component.add("exdate", exdates)
    text = event.summary or plain_text(event.description)
    if event.price and not event.is_free:
        text = f"{text}\n\nPris: {event.price}".strip()
    if text:
        component.add("description", text)
    place = ", ".join(p for p in (event.place_name, event.address, event.municipality) if p)
    if place:
        component.add("location", place)
    if event.category:
        component.add("categories", [event.category])
    if event.contact_email:
        organizer = icalendar.vCalAddress(f"mailto:{event.contact_email}")
        organizer.params["CN"] = ", ".join(organisers) or event.contact_name or site.name
        component.add("organizer", organizer)
    component.add("url", absolute_url_for(site, "evenemang:event", event_id=event.id))
    status = _ICAL_STATUS.get(Status(event.status)) if event.status in set(Status) else None
    component.add("status", status or "TENTATIVE")  # postponed: a new date is not set yet
    return component


def calendar(site: Site, name: str, events: Sequence[Event], organisers: dict[int, list[str]]) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", f"-//Paraply//{site.name}//evenemang//SV")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", site.config.site.timezone)
    if any(e.tz == "Europe/Stockholm" and not e.all_day for e in events):
        cal.add_component(icalendar.Timezone.from_ical(STOCKHOLM_VTIMEZONE.replace("\n", "\r\n")))
    for event in events:
        cal.add_component(vevent(site, event, organisers.get(event.id or 0, [])))
    cal.add_missing_timezones()  # any other zone
    data: bytes = cal.to_ical()
    return data


def organiser_names(db: Session, ids: Sequence[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    if not ids:
        return found
    rows = db.exec(select(Organiser).where(col(Organiser.event_id).in_(list(ids)))).all()
    for row in rows:
        found.setdefault(row.event_id, []).append(row.association_name)
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
