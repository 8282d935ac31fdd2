"""iCalendar as subscribed calendars read it, checked by two independent
parsers (icalendar, which wrote it, and vobject), conditional GET, and the
schema.org JSON-LD of an event page."""

from __future__ import annotations

import json
import re
from datetime import date, datetime

import icalendar
import vobject

from tests.evenemang.conftest import EDITOR, STOCKHOLM, event_form


def _weekly(editor) -> str:
    response = editor.submit(
        "/evenemang/nytt",
        event_form(
            title="Vattengympa",
            start_date="2027-03-23",
            start_time="18:00",
            end_time="19:00",
            repeat="weekly",
            repeat_until="2027-04-13",
            exdates="2027-04-06",
        ),
    )
    assert response.status_code == 303
    return response.headers["location"]


def test_a_series_reads_the_same_in_two_parsers_across_the_dst_change(ev_site, as_user):
    editor = as_user(ev_site, EDITOR)
    location = _weekly(editor)
    response = as_user(ev_site, None).get(location + ".ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    body = response.text
    assert "\r\n" in body and "BEGIN:VTIMEZONE" in body and "TZID:Europe/Stockholm" in body

    parsed = icalendar.Calendar.from_ical(body)
    [event] = parsed.walk("VEVENT")
    assert str(event["UID"]).startswith("ev-") and event["SEQUENCE"] == 0
    assert event["RRULE"]["FREQ"] == ["WEEKLY"]

    # vobject expands the rule itself: 23 and 30 March (the clocks change on
    # the 28th), 13 April; 6 April is an exception.
    second = vobject.readOne(body)
    vevent = second.vevent
    assert vevent.uid.value == str(event["UID"])
    starts = list(vevent.getrruleset(addRDate=True))
    assert [s.date() for s in starts] == [date(2027, 3, 23), date(2027, 3, 30), date(2027, 4, 13)]
    assert all(s.astimezone(STOCKHOLM).hour == 18 for s in starts)  # 18:00 local before and after DST
    assert starts[0].utcoffset().total_seconds() == 3600 and starts[1].utcoffset().total_seconds() == 7200

    # The event page lists the same occurrences.
    page = as_user(ev_site, None).get(location).text
    assert "Tisdag 30 mars 2027, 18:00–19:00" in page and "6 april 2027" not in page


def test_uid_is_stable_and_sequence_and_status_follow_changes(ev_site, as_user):
    editor = as_user(ev_site, EDITOR)
    location = editor.submit("/evenemang/nytt", event_form()).headers["location"]
    visitor = as_user(ev_site, None)
    first = vobject.readOne(visitor.get("/evenemang/kalender.ics").text).vevent
    editor.submit(location + "/redigera", event_form(status="cancelled"))
    second = vobject.readOne(visitor.get("/evenemang/kalender.ics").text).vevent
    assert second.uid.value == first.uid.value
    assert int(second.sequence.value) == int(first.sequence.value) + 1
    assert first.status.value == "CONFIRMED" and second.status.value == "CANCELLED"
    assert second.dtstart.value == datetime(2026, 12, 8, 18, 0, tzinfo=second.dtstart.value.tzinfo)
    assert second.dtstart.value.tzinfo is not None


def test_all_day_multi_day_events_are_dates(ev_site, as_user):
    editor = as_user(ev_site, EDITOR)
    editor.submit(
        "/evenemang/nytt",
        event_form(all_day="y", start_date="2026-12-12", end_date="2026-12-13", start_time="", end_time=""),
    )
    vevent = vobject.readOne(as_user(ev_site, None).get("/evenemang/kalender.ics").text).vevent
    assert vevent.dtstart.value == date(2026, 12, 12) and vevent.dtend.value == date(2026, 12, 14)
    month = as_user(ev_site, None).get("/evenemang/dag?datum=2026-12-13").text
    assert "Månadsmöte" in month  # shows on its second day too


def test_conditional_get_answers_304_until_something_changes(ev_site, as_user):
    editor = as_user(ev_site, EDITOR)
    location = editor.submit("/evenemang/nytt", event_form()).headers["location"]
    visitor = as_user(ev_site, None)
    for path in ("/evenemang/kalender.ics", location + ".ics", "/evenemang/forening/pro-karlskoga/kalender.ics"):
        first = visitor.get(path)
        assert first.status_code == 200 and first.headers["etag"] and first.headers["last-modified"]
        assert visitor.get(path, headers={"If-None-Match": first.headers["etag"]}).status_code == 304
        assert visitor.get(path, headers={"If-Modified-Since": first.headers["last-modified"]}).status_code == 304
        assert visitor.get(path, headers={"If-Modified-Since": "nonsense"}).status_code == 200
    etag = visitor.get("/evenemang/kalender.ics").headers["etag"]
    editor.submit(location + "/redigera", event_form(title="Nytt namn"))
    changed = visitor.get("/evenemang/kalender.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "Nytt namn" in changed.text
    editor.submit(location + "/ta-bort", {"bekrafta": "ja"})
    gone = visitor.get("/evenemang/kalender.ics", headers={"If-None-Match": changed.headers["etag"]})
    assert gone.status_code == 200 and "Nytt namn" not in gone.text


def test_event_page_carries_schema_org_json_ld(ev_site, as_user):
    editor = as_user(ev_site, EDITOR)
    location = editor.submit(
        "/evenemang/nytt", event_form(title="Möte </script><script>alert(1)</script>", is_free=None, price="50 kr")
    ).headers["location"]
    html = as_user(ev_site, None).get(location).text
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, flags=re.S)
    assert len(blocks) == 1
    data = json.loads(blocks[0])
    assert data["@type"] == "Event" and data["@context"] == "https://schema.org"
    assert data["name"] == "Möte </script><script>alert(1)</script>"
    assert data["startDate"] == "2026-12-08T18:00:00+01:00" and data["endDate"] == "2026-12-08T20:00:00+01:00"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["location"]["name"] == "PRO-lokalen"
    assert data["location"]["address"]["addressLocality"] == "Karlskoga"
    assert data["organizer"][0]["name"] == "PRO Karlskoga"
    assert data["offers"] == {
        "@type": "Offer",
        "url": data["url"],
        "priceCurrency": "SEK",
        "price": 50,
        "description": "50 kr",
    }
    assert data["isAccessibleForFree"] is False
    assert "<script>alert(1)" not in html.replace(blocks[0], "")
    free = editor.submit("/evenemang/nytt", event_form(title="Gratis")).headers["location"]
    free_data = json.loads(re.findall(r'ld\+json">(.*?)</script>', as_user(ev_site, None).get(free).text, re.S)[0])
    assert free_data["offers"]["price"] == 0 and free_data["offers"]["priceCurrency"] == "SEK"


def test_the_offer_reads_the_amount_from_the_price_text():
    from plugins.evenemang.models import Event
    from plugins.evenemang.public import offer

    def price(text: str) -> object:
        return offer(Event(title="x", is_free=False, price=text), "u").get("price")  # type: ignore[call-arg]

    assert price("100 kr, barn gratis") == 100
    assert price("1 200 kronor") == 1200
    assert price("Vuxna 85,50 kr") == 85.5
    assert price("Frivillig gåva") is None


def test_the_stockholm_vtimezone_agrees_with_zoneinfo_every_day(ev_site, as_user):
    """vobject reads our VTIMEZONE through dateutil, independently of the
    zoneinfo database that computed the times: noon every day 2026-2037
    must have the same UTC offset in both."""
    from datetime import timedelta

    from plugins.evenemang.ical import STOCKHOLM_VTIMEZONE

    calendar = vobject.readOne("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:test\n" + STOCKHOLM_VTIMEZONE + "END:VCALENDAR\n")
    zone = calendar.vtimezone.gettzinfo()
    day = datetime(2026, 1, 1, 12)
    while day.year < 2038:
        assert day.replace(tzinfo=zone).utcoffset() == day.replace(tzinfo=STOCKHOLM).utcoffset(), day
        for hour in (1, 4):  # around both changes at night, too
            moment = day.replace(hour=hour)
            assert moment.replace(tzinfo=zone).utcoffset() == moment.replace(tzinfo=STOCKHOLM).utcoffset(), moment
        day += timedelta(days=1)
