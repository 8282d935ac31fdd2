"""Issue 14's place "a room from the premises plugin through a hook": the
events form says whether the chosen room is free and books it for the
organising association in the same save ("Boka lokalen för evenemanget",
through ``core.api.book_place``, under the house's own rules). A refusal
or a collision is a Swedish error on the events form with everything typed
kept and nothing saved; the edit page shows the booking's state."""

from __future__ import annotations

import re

from sqlmodel import select

from core.site import Site
from core.testing import text_of
from plugins.evenemang.models import Event
from plugins.lokaler.models import Booking, BookingStatus
from tests.evenemang.conftest import event_form
from tests.lokaler.conftest import ADMIN, EDITOR, OTHER_EDITOR, booking_form
from tests.lokaler.test_events_link import _events_and_house


def _bookings(site: Site) -> list[Booking]:
    with site.session() as db:
        return list(db.exec(select(Booking).order_by(Booking.start_utc)).all())


def _events(site: Site) -> list[Event]:
    with site.session() as db:
        return list(db.exec(select(Event)).all())


def _in(room: int, **overrides: object) -> dict[str, object]:
    """PRO's evening in ``room`` on Tuesday 9 March 2027, with the box ticked."""
    wanted: dict[str, object] = {
        "title": "Pensionärsdans",
        "start_date": "2027-03-09",
        "start_time": "18:00",
        "end_time": "20:00",
        "place_name": "",
        "address": "",
        "room": f"lokaler:{room}",
        "book_room": "y",
    }
    return event_form(**(wanted | overrides))


def test_the_form_shows_the_room_free_and_books_it_in_the_same_save(make_site, as_user):
    site, rooms = _events_and_house(make_site)
    salen = rooms["Stora salen"]
    editor = as_user(site, EDITOR)
    blank = editor.get("/evenemang/nytt").text
    assert 'name="book_room"' in blank and "Boka lokalen för evenemanget" in text_of(blank)

    # "Visa om lokalen är ledig": the same form back with the room's state; nothing is saved.
    shown = editor.submit("/evenemang/nytt", {**_in(salen), "action": "visa_lokal"})
    assert shown.status_code == 200, text_of(shown.text)[:600]
    assert "Lokalen är ledig då, men inte bokad för evenemanget." in text_of(shown.text)
    assert 'value="Pensionärsdans"' in shown.text
    assert _events(site) == [] and _bookings(site) == []

    answer = editor.submit("/evenemang/nytt", _in(salen))
    assert answer.status_code == 303, text_of(answer.text)[:600]
    (event,) = _events(site)
    (booking,) = _bookings(site)
    assert (booking.resource_id, booking.association_slug, booking.title) == (salen, "pro-karlskoga", "Pensionärsdans")
    assert booking.status == BookingStatus.CONFIRMED and booking.contact_email == EDITOR
    page = text_of(editor.get(answer.headers["location"]).text)
    assert "Lokalen är bokad för PRO Karlskoga." in page
    assert "Stora salen, Föreningarnas hus" in page, "the room is the event's place"

    edit = editor.get(f"/evenemang/{event.id}/redigera").text
    assert "Lokalen är bokad för evenemanget." in text_of(edit)
    assert f'href="/lokaler/bokning/{booking.id}"' in edit
    # The house shows the booking as the association's, in the room's week and the editor's list.
    assert "Pensionärsdans" in text_of(editor.get("/lokaler/mina").text)

    # Saving again with the box ticked books nothing twice.
    again = editor.submit(f"/evenemang/{event.id}/redigera", _in(salen, summary="Med orkester."))
    assert again.status_code == 303, text_of(again.text)[:600]
    assert "Lokalen var redan bokad för evenemanget." in text_of(editor.get(again.headers["location"]).text)
    assert len(_bookings(site)) == 1


def test_a_refusal_or_a_collision_saves_nothing_and_keeps_what_was_typed(make_site, as_user):
    site, rooms = _events_and_house(make_site)
    salen, ekan = rooms["Stora salen"], rooms["Mötesrum Ekan"]
    # Skidklubben has Stora salen 18-20; the house keeps 30 minutes free after a booking.
    other = as_user(site, OTHER_EDITOR).submit(
        f"/lokaler/{salen}/boka", booking_form(booker="member:degerfors-skidklubb", title="Vallaträff")
    )
    assert other.status_code == 303
    editor = as_user(site, EDITOR)

    # Outside the room's opening hours (Ekan: weekdays 08-22): the house's rule, in Swedish, on the form.
    late = _in(ekan, start_time="21:00", end_time="23:00")
    shown = text_of(editor.submit("/evenemang/nytt", {**late, "action": "visa_lokal"}).text)
    assert "Lokalen kan inte bokas för evenemanget då:" in shown and "utanför öppettiderna" in shown
    refused = editor.submit("/evenemang/nytt", late)
    assert refused.status_code == 400
    text = text_of(refused.text)
    assert "Lokalen gick inte att boka, så ingenting är sparat." in text
    assert "2027-03-09 21:00–23:00: Tiden ligger utanför öppettiderna: tisdag 08:00–22:00." in text
    assert 'value="Pensionärsdans"' in refused.text
    assert re.search(r'<input[^>]* checked [^>]*name="book_room"', refused.text), "the box stays ticked"
    # At 20:00, right after Skidklubben's booking: free for the events plugin, but within the house's buffer.
    close = editor.submit("/evenemang/nytt", _in(salen, start_time="20:00", end_time="22:00"))
    assert close.status_code == 400
    assert "2027-03-09 20:00–22:00: Tiden är redan bokad." in text_of(close.text)
    assert _events(site) == [] and [b.title for b in _bookings(site)] == ["Vallaträff"]

    # Without the box the event may still be held there: the house is not asked to book.
    plain = editor.submit("/evenemang/nytt", {**late, "book_room": None})
    assert plain.status_code == 303
    (event,) = _events(site)

    # On the edit page a refusal leaves the stored event as it was.
    changed = _in(ekan, title="Nytt namn", start_time="21:00", end_time="23:00")
    assert editor.submit(f"/evenemang/{event.id}/redigera", changed).status_code == 400
    assert [e.title for e in _events(site)] == ["Pensionärsdans"]
    assert len(_bookings(site)) == 1
    edit = text_of(editor.get(f"/evenemang/{event.id}/redigera").text)
    assert "Lokalen kan inte bokas för evenemanget då:" in edit


def test_a_room_that_needs_approval_and_a_weekly_series(make_site, as_user):
    site, rooms = _events_and_house(make_site)
    ungdom, ekan = rooms["Ungdomslokalen"], rooms["Mötesrum Ekan"]
    editor = as_user(site, EDITOR)
    answer = editor.submit("/evenemang/nytt", _in(ungdom, start_time="17:00", end_time="19:00"))
    assert answer.status_code == 303, text_of(answer.text)[:600]
    (waiting,) = _bookings(site)
    assert waiting.status == BookingStatus.REQUESTED
    flashed = text_of(editor.get(answer.headers["location"]).text)
    assert "Lokalen är bokad för PRO Karlskoga och väntar på att kansliet godkänner bokningen." in flashed
    (event,) = _events(site)
    edit = text_of(editor.get(f"/evenemang/{event.id}/redigera").text)
    assert "Lokalen är bokad för evenemanget och väntar på att kansliet godkänner bokningen." in edit
    admin = as_user(site, ADMIN)
    assert "Pensionärsdans" in text_of(admin.get("/lokaler/granska").text)

    # A weekly evening through March: one booking per coming date, as one series.
    weekly = _in(ekan, title="Cirkelkväll", start_date="2027-03-10", repeat="weekly", repeat_until="2027-03-31")
    assert editor.submit("/evenemang/nytt", weekly).status_code == 303
    series = [b for b in _bookings(site) if b.title == "Cirkelkväll"]
    assert [b.start_utc.day for b in series] == [10, 17, 24, 31]
    assert len({b.series_id for b in series}) == 1 and series[0].series_id
    assert {b.status for b in series} == {BookingStatus.CONFIRMED}

    # Another association's editor may not change PRO's event, so cannot book for it either.
    other = as_user(site, OTHER_EDITOR)
    assert other.submit(f"/evenemang/{event.id}/redigera", _in(ekan, start_date="2027-04-06")).status_code == 403
    assert len(_bookings(site)) == 5
