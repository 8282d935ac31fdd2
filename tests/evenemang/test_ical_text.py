"""The site's .ics is written as text, line by line (``ical.vevent``), for
speed; here the same events are also built with the iCalendar library's
component objects (how the plugin wrote them before), and both documents
must read the same in two parsers, property by property: escaping, line
folding inside UTF-8 characters, TZID parameters, dates, RRULE/EXDATE,
ORGANIZER's CN and time zones other than Stockholm's."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import icalendar
import vobject

from core.api import Site, absolute_url_for, plain_text
from plugins.evenemang import ical, recurrence
from plugins.evenemang.models import Event, Status

NOW = datetime(2026, 12, 1, 10, 0, 0, 123456, tzinfo=UTC)
LONG = "En mycket lång rubrik som måste vikas över flera rader i kalendern ÅÄÖ åäö " * 3


def _reference_vevent(site: Site, event: Event, organisers: Sequence[str]) -> icalendar.Event:
    """The plugin's earlier writer, on the library's component objects."""
    component = icalendar.Event()
    component.add("uid", event.uid)
    component.add("dtstamp", event.updated_at)
    component.add("created", event.created_at)
    component.add("last-modified", event.updated_at)
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
    statuses = {Status.CANCELLED: "CANCELLED", Status.SCHEDULED: "CONFIRMED", Status.FULL: "CONFIRMED"}
    component.add("status", statuses.get(Status(event.status), "TENTATIVE"))
    return component


def _reference(site: Site, events: list[Event], organisers: dict[int, list[str]]) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", f"-//Paraply//{site.name}//evenemang//SV")
    cal.add("version", "2.0")
    if any(e.tz == "Europe/Stockholm" and not e.all_day for e in events):
        cal.add_component(icalendar.Timezone.from_ical(ical.STOCKHOLM_VTIMEZONE.replace("\n", "\r\n")))
    for event in events:
        cal.add_component(_reference_vevent(site, event, organisers.get(event.id or 0, [])))
    cal.add_missing_timezones()
    data: bytes = cal.to_ical()
    return data


def _event(n: int, **fields: object) -> Event:
    values: dict[str, object] = {
        "id": n,
        "uid": f"ev-{n}@ev.example",
        "title": f"Möte {n}",
        "starts_at": datetime(2026, 12, 8, 18),
        "ends_at": datetime(2026, 12, 8, 20),
        "first_start_utc": datetime(2026, 12, 8, 17),
        "last_end_utc": datetime(2026, 12, 8, 19),
        "created_at": NOW,
        "updated_at": NOW,
        **fields,
    }
    return Event(**values)


EVENTS = [
    _event(
        1,
        title="Möte; med, komma\\ och " + LONG,
        summary="Rad ett\nRad två\r\nRad tre",
        rrule="FREQ=WEEKLY;BYDAY=TU;UNTIL=20270413T215959Z",
        exdates="2026-12-22,2026-12-29",
        place_name="PRO-lokalen",
        address="Gatan 1",
        municipality="Karlskoga",
        category="Kultur, musik",
        contact_email="info@pro.example",
        price="50 kr; barn gratis",
        is_free=False,
        sequence=3,
        status="postponed",
    ),
    _event(2, title="Heldag", starts_at=datetime(2026, 12, 12), ends_at=datetime(2026, 12, 13), all_day=True),
    _event(
        3,
        title="I Helsingfors",
        tz="Europe/Helsinki",
        contact_email="x@ev.example",
        contact_name='Anna "A" Berg',
        status="cancelled",
    ),
    _event(
        4,
        title="Julmarknad varje år",
        starts_at=datetime(2026, 12, 13),
        ends_at=datetime(2026, 12, 13),
        all_day=True,
        rrule="FREQ=YEARLY;COUNT=3",
        exdates="2027-12-13",
        description="**Fet** text och en [länk](https://exempel.se) " + "ö" * 120,
        status="full",
    ),
    _event(5, title="Kort", contact_email="y@ev.example", category="Övrigt"),
]


def _by_uid(body: bytes) -> dict[str, dict[str, list[str]]]:
    """Every property of every VEVENT, as the library reads it back."""
    found: dict[str, dict[str, list[str]]] = {}
    for component in icalendar.Calendar.from_ical(body).walk("VEVENT"):
        properties: dict[str, list[str]] = {}
        for name, value in component.property_items(recursive=False):
            if name in ("BEGIN", "END"):
                continue
            properties.setdefault(name, []).append(value.to_ical().decode() + repr(sorted(value.params.items())))
        found[str(component["UID"])] = properties
    return found


def test_text_written_calendar_reads_like_the_librarys_in_two_parsers(ev_site):
    organisers = {1: ["PRO Karlskoga", "Degerfors Skidklubb"], 3: []}
    fast = ical.calendar(ev_site, "Kalender, med komma", EVENTS, organisers)
    reference = _reference(ev_site, EVENTS, organisers)
    assert _by_uid(fast) == _by_uid(reference)
    assert all(len(line.encode()) <= 75 for line in fast.decode().split("\r\n"))
    assert fast.endswith(b"END:VCALENDAR\r\n") and b"\n" not in fast.replace(b"\r\n", b"")

    parsed = icalendar.Calendar.from_ical(fast)
    assert {str(tz["TZID"]) for tz in parsed.walk("VTIMEZONE")} == {"Europe/Stockholm", "Europe/Helsinki"}
    assert vobject.readOne(fast.decode()).contents["x-wr-calname"][0].value == "Kalender, med komma"

    # vobject, the second parser, reads the same values from both.
    ours = {e.uid.value: e for e in vobject.readOne(fast.decode()).vevent_list}
    theirs = {e.uid.value: e for e in vobject.readOne(reference.decode()).vevent_list}
    assert ours.keys() == theirs.keys() == {e.uid for e in EVENTS}
    for uid, event in ours.items():
        other = theirs[uid]
        assert event.summary.value == other.summary.value
        assert event.dtstart.value == other.dtstart.value and event.dtend.value == other.dtend.value
        assert list(event.getrruleset(addRDate=True) or []) == list(other.getrruleset(addRDate=True) or [])
        for name in ("description", "location", "categories", "organizer", "status", "sequence", "url"):
            assert getattr(event, name, None) is None or getattr(event, name).value == getattr(other, name).value
    assert ours["ev-1@ev.example"].summary.value.startswith("Möte; med, komma\\ och En mycket lång")
    assert ours["ev-1@ev.example"].organizer.params["CN"] == ["PRO Karlskoga, Degerfors Skidklubb"]
    # RFC 6868's ^' for a double quote: the library decodes it, vobject does not (in either document).
    assert ours["ev-3@ev.example"].organizer.params == theirs["ev-3@ev.example"].organizer.params
    [helsinki] = [e for e in parsed.walk("VEVENT") if str(e["UID"]) == "ev-3@ev.example"]
    assert helsinki["ORGANIZER"].params["CN"] == 'Anna "A" Berg'
