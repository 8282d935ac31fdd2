"""After booking: the booker's mail with the booking as .ics (real SMTP),
the booker cancels up to the limit, an admin approves or declines a request
with a reason, moves a booking with a message, and writes the key note that
only the booker and admins see. The room's and the association's iCal keep
stable UIDs and carry cancellations."""

from __future__ import annotations

import icalendar
from sqlmodel import select

from core.models import Role
from core.testing import add_user, smtp_settings, text_of
from plugins.lokaler.models import Booking, BookingStatus
from tests.lokaler.conftest import ADMIN, EDITOR, OTHER_EDITOR, add_rooms, booking_form, make_lok_site


def _wait_for(inbox, n: int) -> None:
    import time

    deadline = time.monotonic() + 10
    while len(inbox.messages) < n and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(inbox.messages) >= n, [m["Subject"] for m in inbox.messages]


def _ics_of(message) -> icalendar.Calendar:
    parts = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert parts, "the booking travels as .ics"
    return icalendar.Calendar.from_ical(parts[0].get_content())


def _only(site) -> Booking:
    with site.session() as db:
        return db.exec(select(Booking)).one()


def test_mail_cancel_and_ical(make_site, smtp_inbox, as_user):
    site = make_lok_site(make_site, extra=smtp_settings(smtp_inbox.port))
    rooms = add_rooms(site)
    room = rooms["Mötesrum Ekan"]
    editor = as_user(site, EDITOR)
    assert editor.submit(f"/lokaler/{room}/boka", booking_form()).status_code == 303
    _wait_for(smtp_inbox, 1)
    confirmation = smtp_inbox.messages[0]
    assert confirmation["To"] == "rita@pro.example"
    assert "Bokningsbekräftelse: Mötesrum Ekan" in confirmation["Subject"]
    event = _ics_of(confirmation).walk("VEVENT")[0]
    booking = _only(site)
    assert str(event["UID"]) == booking.uid and str(event["STATUS"]) == "CONFIRMED"

    # The room's calendar: busy without who; the association's: with the title.
    room_ics = icalendar.Calendar.from_ical(as_user(site, None).get(f"/lokaler/{room}/kalender.ics").content)
    (room_event,) = room_ics.walk("VEVENT")
    assert str(room_event["UID"]) == booking.uid and "Upptaget" in str(room_event["SUMMARY"])
    assert as_user(site, None).get("/lokaler/forening/pro-karlskoga/kalender.ics").text.count("BEGIN:VEVENT") == 0
    own_ics = editor.get("/lokaler/forening/pro-karlskoga/kalender.ics").text
    assert "Styrelsemöte" in own_ics

    # The other association's editor may not cancel it.
    other = as_user(site, OTHER_EDITOR)
    assert other.submit(f"/lokaler/bokning/{booking.id}/avboka", {}).status_code == 403
    assert other.get(f"/lokaler/bokning/{booking.id}").status_code == 404
    # The booker cancels (six days ahead, limit 24 hours).
    answer = editor.submit(f"/lokaler/bokning/{booking.id}/avboka", {})
    assert answer.status_code == 303
    assert _only(site).status == BookingStatus.CANCELLED
    _wait_for(smtp_inbox, 2)
    cancelled = smtp_inbox.messages[1]
    assert "Bokning avbokad" in cancelled["Subject"]
    event = _ics_of(cancelled).walk("VEVENT")[0]
    assert str(event["UID"]) == booking.uid and str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 1
    # The cancellation travels in the room's calendar under the same UID.
    room_ics = icalendar.Calendar.from_ical(as_user(site, None).get(f"/lokaler/{room}/kalender.ics").content)
    (room_event,) = room_ics.walk("VEVENT")
    assert str(room_event["UID"]) == booking.uid and str(room_event["STATUS"]) == "CANCELLED"
    # And the time is free again.
    assert "Ledig" in text_of(as_user(site, None).get(f"/lokaler/{room}?vecka=2027-03-08").text)


def test_too_late_to_cancel_yourself(lok_site, rooms, as_user):
    room = rooms["Mötesrum Ekan"]
    editor = as_user(lok_site, EDITOR)
    editor.submit(f"/lokaler/{room}/boka", booking_form(day="2027-03-03", start="18:00", end="20:00"))
    booking = _only(lok_site)  # tonight: within 24 hours
    page = text_of(editor.get(f"/lokaler/bokning/{booking.id}").text)
    assert "för sent att avboka själv" in page
    editor.submit(f"/lokaler/bokning/{booking.id}/avboka", {})
    assert _only(lok_site).status == BookingStatus.CONFIRMED
    # An admin may, with a message.
    admin = as_user(lok_site, ADMIN)
    assert (
        admin.submit(f"/lokaler/bokning/{booking.id}/avboka", {"message": "Vattenskada i rummet."}).status_code == 303
    )
    assert _only(lok_site).status == BookingStatus.CANCELLED
    assert _only(lok_site).admin_message == "Vattenskada i rummet."


def test_admin_declines_with_a_reason_and_approves(lok_site, rooms, as_user):
    room = rooms["Ungdomslokalen"]  # manual approval
    editor = as_user(lok_site, EDITOR)
    assert (
        editor.submit(f"/lokaler/{room}/boka", booking_form(day="2027-03-12", start="17:00", end="20:00")).status_code
        == 303
    )
    booking = _only(lok_site)
    assert booking.status == BookingStatus.REQUESTED
    admin = as_user(lok_site, ADMIN)
    assert "Styrelsemöte" in text_of(admin.get("/lokaler/granska").text)
    # Declining needs a reason.
    admin.submit(f"/lokaler/bokning/{booking.id}/beslut", {"beslut": "avsla", "message": ""})
    assert _only(lok_site).status == BookingStatus.REQUESTED
    admin.submit(f"/lokaler/bokning/{booking.id}/beslut", {"beslut": "godkann", "message": ""})
    assert _only(lok_site).status == BookingStatus.CONFIRMED
    # The editor may not decide.
    assert (
        editor.submit(f"/lokaler/bokning/{booking.id}/beslut", {"beslut": "avsla", "message": "x"}).status_code == 403
    )


def test_the_booker_hears_a_declined_request_with_the_reason(make_site, smtp_inbox, as_user):
    """Issue 20: the decline reaches the booker over SMTP as a
    ``lokaler.booking`` notice: subject, lead, the time, the staff's reason,
    the link to the booking, and the .ics that drops it from calendars."""
    site = make_lok_site(make_site, extra=smtp_settings(smtp_inbox.port))
    room = add_rooms(site)["Ungdomslokalen"]  # manual approval
    editor = as_user(site, EDITOR)
    form = booking_form(day="2027-03-12", start="17:00", end="20:00")
    assert editor.submit(f"/lokaler/{room}/boka", form).status_code == 303
    _wait_for(smtp_inbox, 1)
    assert smtp_inbox.messages[0]["Subject"] == "Bokningsförfrågan: Ungdomslokalen"
    booking = _only(site)
    admin = as_user(site, ADMIN)
    reason = "Lokalen renoveras den veckan."
    decided = admin.submit(f"/lokaler/bokning/{booking.id}/beslut", {"beslut": "avsla", "message": reason})
    assert decided.status_code == 303 and _only(site).status == BookingStatus.DECLINED
    _wait_for(smtp_inbox, 2)
    declined = smtp_inbox.messages[1]
    assert declined["To"] == "rita@pro.example"
    assert declined["Subject"] == "Bokning avslagen: Ungdomslokalen"
    body = declined.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    lead = "Din bokningsförfrågan kunde tyvärr inte godkännas:\n\n- Ungdomslokalen, 2027-03-12 17:00–20:00\n"
    assert body.startswith(lead), body
    assert f"Meddelande från kansliet:\n{reason}" in body
    # The booker has an account: the link is to the booking's own page, which they may open.
    assert f"/lokaler/bokning/{booking.id}\n" in body
    assert editor.get(f"/lokaler/bokning/{booking.id}").status_code == 200
    assert "en bokning av en lokal bekräftas, avslås eller ändras" in body and "/aviseringar/" in body
    event = _ics_of(declined).walk("VEVENT")[0]
    assert str(event["UID"]) == booking.uid and str(event["STATUS"]) == "CANCELLED"
    assert len(smtp_inbox.messages) == 2


def test_admin_moves_and_writes_the_key_note(lok_site, rooms, as_user):
    room = rooms["Mötesrum Ekan"]
    editor = as_user(lok_site, EDITOR)
    editor.submit(f"/lokaler/{room}/boka", booking_form())
    booking = _only(lok_site)
    admin = as_user(lok_site, ADMIN)
    moved = admin.submit(
        f"/lokaler/bokning/{booking.id}/flytta",
        {"day": "2027-03-10", "start": "17:00", "end": "19:00", "message": "Salen behövs till årsmötet."},
    )
    assert moved.status_code == 303, text_of(moved.text)[:300]
    after = _only(lok_site)
    assert after.start_utc.isoformat() == "2027-03-10T16:00:00" and after.sequence == 1
    admin.submit(f"/lokaler/bokning/{booking.id}/tilltrade", {"access_note": "Portkod 4711"})
    assert "Portkod 4711" in text_of(editor.get(f"/lokaler/bokning/{booking.id}").text)
    # Not in the public week, nor for another association's editor.
    add_user(lok_site, "x@lok.example", Role.EDITOR)
    assert "4711" not in as_user(lok_site, None).get(f"/lokaler/{room}?vecka=2027-03-08").text
    assert as_user(lok_site, OTHER_EDITOR).get(f"/lokaler/bokning/{booking.id}").status_code == 404


def test_staff_views(lok_site, rooms, as_user):
    room = rooms["Stora salen"]
    as_user(lok_site, EDITOR).submit(f"/lokaler/{room}/boka", booking_form())
    admin = as_user(lok_site, ADMIN)
    week = text_of(admin.get("/lokaler/huset?vecka=2027-03-08").text)
    assert "Stora salen" in week and "18:00–20:00 PRO Karlskoga" in week
    sheet = text_of(admin.get("/lokaler/dagblad?datum=2027-03-09").text)
    assert "18:00–20:00 PRO Karlskoga: Styrelsemöte" in sheet
    assert "långfredagen" in text_of(admin.get("/lokaler/dagblad?datum=2027-03-26").text).lower()
    mine = text_of(as_user(lok_site, EDITOR).get("/lokaler/mina").text)
    assert "Styrelsemöte" in mine
    assert as_user(lok_site, EDITOR).get("/lokaler/huset").status_code == 403
    assert as_user(lok_site, OTHER_EDITOR).get("/lokaler/forening/pro-karlskoga").status_code == 403


def test_the_reminder_the_day_before_goes_once(make_site, smtp_inbox, as_user):
    from datetime import UTC, datetime

    from plugins.lokaler import personal

    site = make_lok_site(make_site, extra=smtp_settings(smtp_inbox.port))
    rooms = add_rooms(site)
    as_user(site, EDITOR).submit(f"/lokaler/{rooms['Mötesrum Ekan']}/boka", booking_form())
    _wait_for(smtp_inbox, 1)
    assert personal.send_reminders(site, datetime(2027, 3, 7, 3, 0, tzinfo=UTC)).endswith(": 0")
    assert personal.send_reminders(site, datetime(2027, 3, 8, 3, 0, tzinfo=UTC)).endswith(": 1")
    _wait_for(smtp_inbox, 2)
    reminder = smtp_inbox.messages[1]
    assert "Påminnelse: Mötesrum Ekan i morgon" in reminder["Subject"]
    assert str(_ics_of(reminder).walk("VEVENT")[0]["UID"]) == _only(site).uid
    assert personal.send_reminders(site, datetime(2027, 3, 8, 3, 0, tzinfo=UTC)).endswith(": 0")
