"""Two gaps of issue 15 closed: an admin moves a booking to a time past
midnight (the move form has an end date, as the booking and request forms
do), checked over the whole span for opening hours, closed days, length
and collisions, with the change mailed as .ics; and the booking's .ics
carries the number of people, read back with the icalendar library."""

from __future__ import annotations

from datetime import datetime

import icalendar

from core.testing import smtp_settings, text_of
from tests.lokaler.conftest import ADMIN, EDITOR, add_rooms, booking_form, make_lok_site
from tests.lokaler.test_manage import _ics_of, _wait_for
from tests.lokaler.test_people_limits_midnight import _bookings, _night_room


def _move() -> dict[str, str]:
    """Friday 12 March 20:00 to Saturday 02:00, with the admin's message."""
    return {"day": "2027-03-12", "start": "20:00", "end": "02:00", "end_day": "2027-03-13", "message": "Salen behövs."}


def test_an_admin_moves_a_booking_past_midnight_where_the_hours_allow(make_site, smtp_inbox, as_user):
    site = make_lok_site(make_site, extra=smtp_settings(smtp_inbox.port))
    add_rooms(site)
    room = _night_room(site, max_minutes=420)  # Friday 18-24, Saturday 00-03; closed Saturday 20 March
    editor = as_user(site, EDITOR)
    first = booking_form(day="2027-03-12", start="19:00", end="22:00", attendees="30")
    assert editor.submit(f"/lokaler/{room}/boka", first).status_code == 303
    (booking,) = _bookings(site)
    _wait_for(smtp_inbox, 1)
    admin = as_user(site, ADMIN)
    page = admin.get(f"/lokaler/bokning/{booking.id}/flytta")
    assert 'name="end_day"' in page.text
    assert "Över midnatt går det där öppettiderna tillåter det." in text_of(page.text)

    # Each rule is checked over the whole span, in Swedish, and nothing moves.
    cases = {
        "utanför öppettiderna: lördag 00:00–03:00": {"day": "2027-04-02", "end": "04:00", "end_day": "2027-04-03"},
        "kan inte bokas över midnatt": {"day": "2027-04-01", "end": "02:00", "end_day": "2027-04-02"},
        "Huset är stängt 2027-03-20 (Städdag)": {"day": "2027-03-19", "end": "01:00", "end_day": "2027-03-20"},
        "för lång: högst 420 minuter": {"day": "2027-04-02", "start": "18:00", "end": "03:00", "end_day": "2027-04-03"},
        "Slutar bokningen efter midnatt?": {"day": "2027-04-02", "start": "22:00", "end": "01:00", "end_day": ""},
    }
    for expected, times in cases.items():
        refused = admin.submit(f"/lokaler/bokning/{booking.id}/flytta", {**_move(), **times})
        assert refused.status_code == 400, expected
        text = text_of(refused.text)
        assert expected in text, (expected, text[:800])
        assert times["day"] in refused.text and "Salen behövs." in refused.text, "what was typed is kept"
    (unmoved,) = _bookings(site)
    assert (unmoved.start_utc, unmoved.sequence) == (datetime(2027, 3, 12, 18, 0), 0)

    # Another booking in the small hours of the next Saturday: the span past midnight collides with it.
    night = booking_form(day="2027-04-10", start="01:00", end="02:30", title="Nattvandring")
    assert editor.submit(f"/lokaler/{room}/boka", night).status_code == 303
    over = {**_move(), "day": "2027-04-09", "end_day": "2027-04-10"}
    taken = admin.submit(f"/lokaler/bokning/{booking.id}/flytta", over)
    assert taken.status_code == 400
    assert "Den nya tiden krockar med en annan bokning." in text_of(taken.text)

    # Friday night into Saturday is free: moved, and the booker gets the change with the new .ics.
    moved = admin.submit(f"/lokaler/bokning/{booking.id}/flytta", _move())
    assert moved.status_code == 303, text_of(moved.text)[:600]
    after = next(b for b in _bookings(site) if b.id == booking.id)
    # 20:00 and 02:00 in Stockholm in March (CET) are 19:00 and 01:00 UTC.
    assert (after.start_utc, after.end_utc, after.sequence) == (
        datetime(2027, 3, 12, 19, 0),
        datetime(2027, 3, 13, 1, 0),
        1,
    )
    assert "2027-03-12 20:00 – 2027-03-13 02:00" in text_of(admin.get(f"/lokaler/bokning/{booking.id}").text)
    _wait_for(smtp_inbox, 3)
    mail = next(m for m in smtp_inbox.messages if "Bokning flyttad" in m["Subject"])
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "2027-03-12 20:00 – 2027-03-13 02:00" in body and "Salen behövs." in body
    (event,) = _ics_of(mail).walk("VEVENT")
    assert event.decoded("DTSTART").isoformat() == "2027-03-12T19:00:00+00:00"
    assert event.decoded("DTEND").isoformat() == "2027-03-13T01:00:00+00:00"
    assert int(event["SEQUENCE"]) == 1 and str(event["UID"]) == booking.uid

    # The form shows the stored end date when the booking runs past midnight.
    again = admin.get(f"/lokaler/bokning/{booking.id}/flytta").text
    assert 'value="2027-03-13"' in again
    # Only admins move bookings.
    assert editor.get(f"/lokaler/bokning/{booking.id}/flytta").status_code == 403
    assert editor.submit(f"/lokaler/bokning/{booking.id}/flytta", _move()).status_code == 403


def test_the_ics_carries_the_number_of_people(make_site, smtp_inbox, as_user):
    site = make_lok_site(make_site, extra=smtp_settings(smtp_inbox.port))
    room = add_rooms(site)["Mötesrum Ekan"]
    editor = as_user(site, EDITOR)
    assert editor.submit(f"/lokaler/{room}/boka", booking_form(attendees="10")).status_code == 303
    assert editor.submit(f"/lokaler/{room}/boka", booking_form(day="2027-03-10", title="Utan antal")).status_code == 303
    _wait_for(smtp_inbox, 2)
    (event,) = _ics_of(smtp_inbox.messages[0]).walk("VEVENT")
    assert str(event["DESCRIPTION"]) == "Antal personer: 10"
    # The association's calendar, as its editor fetches it: the same detail, and none where none was given.
    own = icalendar.Calendar.from_ical(editor.get("/lokaler/forening/pro-karlskoga/kalender.ics").content)
    described = {str(e["SUMMARY"]): str(e.get("DESCRIPTION", "")) for e in own.walk("VEVENT")}
    assert described == {
        "Mötesrum Ekan: Styrelsemöte (PRO Karlskoga)": "Antal personer: 10",
        "Mötesrum Ekan: Utan antal (PRO Karlskoga)": "",
    }
    # The room's public calendar shows a private booking only as busy: no details.
    public = icalendar.Calendar.from_ical(as_user(site, None).get(f"/lokaler/{room}/kalender.ics").content)
    assert [e.get("DESCRIPTION") for e in public.walk("VEVENT")] == [None, None]
