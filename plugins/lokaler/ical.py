"""iCalendar (RFC 5545) of bookings: per room, per association and one
booking as an e-mail attachment.

UIDs are the bookings' own (``Booking.uid``, minted once); SEQUENCE is the
booking's; a cancelled or declined booking stays in the calendar with
STATUS:CANCELLED so subscribed calendars drop it. Times are written in UTC
(``Z``), which every client reads without a VTIMEZONE.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import UTC, datetime

import icalendar
from starlette.responses import Response

from core.api import PlaceUse, Site
from core.api import gettext as _
from plugins.lokaler.models import Booking, BookingStatus, Resource

_STATUS = {
    BookingStatus.CONFIRMED: "CONFIRMED",
    BookingStatus.REQUESTED: "TENTATIVE",
    BookingStatus.DECLINED: "CANCELLED",
    BookingStatus.CANCELLED: "CANCELLED",
}


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def vevent(booking: Booking, resource: Resource, house: str, *, show_who: bool) -> icalendar.Event:
    component = icalendar.Event()
    component.add("uid", booking.uid)
    component.add("dtstamp", _utc(booking.updated_at))
    component.add("last-modified", _utc(booking.updated_at))
    component.add("sequence", booking.sequence)
    title = f"{booking.title} ({booking.booker})" if show_who else "Upptaget"
    component.add("summary", f"{resource.name}: {title}")
    component.add("dtstart", _utc(booking.start_utc))
    component.add("dtend", _utc(booking.end_utc))
    component.add("location", ", ".join(p for p in (resource.name, resource.location, house) if p))
    if show_who and booking.attendees:
        # RFC 5545 has no property for a head count (ATTENDEE names people):
        # it goes in DESCRIPTION, the text every calendar shows with the event.
        component.add("description", _("Antal personer: %(n)s") % {"n": booking.attendees})
    component.add("status", _STATUS.get(BookingStatus(booking.status), "CONFIRMED"))
    component.add("transp", "OPAQUE")
    return component


def use_vevent(site: Site, use: PlaceUse, resource: Resource, house: str) -> icalendar.Event:
    """An event from the events plugin held in the room (``place_uses``). Its
    UID is made of the room, the event's address and the occurrence's start,
    so it is the same on every fetch; the event's own calendar has its own."""
    start = _utc(use.start)
    digest = hashlib.sha256(f"{resource.id}|{use.url or use.title}".encode()).hexdigest()[:16]
    component = icalendar.Event()
    component.add("uid", f"lokaler-{resource.id}-{digest}-{start:%Y%m%dT%H%M%SZ}@{site.host}")
    component.add("dtstamp", start)
    component.add("summary", f"{resource.name}: {use.title}")
    component.add("dtstart", start)
    component.add("dtend", _utc(use.end))
    component.add("location", ", ".join(p for p in (resource.name, resource.location, house) if p))
    if use.url:
        component.add("url", site.absolute_url(use.url))
    component.add("status", "CONFIRMED")
    component.add("transp", "OPAQUE")
    return component


def calendar(
    site: Site,
    name: str,
    items: Sequence[tuple[Booking, Resource, bool]],
    house: str,
    uses: Sequence[tuple[PlaceUse, Resource]] = (),
) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", f"-//Paraply//lokaler//{site.host}")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for booking, resource, show_who in items:
        cal.add_component(vevent(booking, resource, house, show_who=show_who))
    for use, resource in uses:
        cal.add_component(use_vevent(site, use, resource, house))
    data: bytes = cal.to_ical()
    return data


def response(data: bytes, filename: str) -> Response:
    # A header is Latin-1: a slug typed in any script becomes an ASCII file name.
    filename = re.sub(r"[^A-Za-z0-9._-]+", "-", filename).strip("-") or "kalender.ics"
    return Response(
        data,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "no-cache"},
    )
