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


CHECK = re.compile(r'<button type="submit" name="action" value="visa_lokal"[^>]*>')


def _place_fieldset(html: str) -> str:
    """The form's "Plats" fieldset (it holds no fieldset of its own)."""
    found = re.search(r"<fieldset>\s*<legend>Plats</legend>(.*?)</fieldset>", html, flags=re.S)
    assert found, "the form has a Plats fieldset"
    return found.group(1)


def _answer(html: str) -> str:
    """The text of the room check's answer, the element its button's address points at."""
    found = re.search(r'<div class="notice[^"]*" id="lokalens-lage" role="status"[^>]*>(.*?)</div>', html, flags=re.S)
    assert found, "the answer is there, with the anchor and announced as a status"
    return text_of(found.group(1))


def _check_sits_at_the_room(html: str, url: str) -> None:
    """The trial on a phone: the check's button was beside "Spara", 2100 px
    below the room, and its answer came back up at the room. Now the button
    comes right after the room field, in the same fieldset, and its address
    is the form's own with the answer's anchor, so the page opens at the answer."""
    place = _place_fieldset(html)
    (button,) = CHECK.findall(html)
    assert button in place, "the check's button is in the Plats fieldset"
    assert place.index('name="room"') < place.index(button) < place.index('name="book_room"')
    assert f'formaction="{url}#lokalens-lage"' in button
    assert f'<form method="post" action="{url}"' in html, "a save after a check does not keep the anchor"
    save = html.index("<button", html.index(f'action="{url}"'))
    assert html.index(button) > save, "Enter in a field still saves: a (hidden) Spara is the form's first button"
    assert 'aria-hidden="true">Spara</button>' in html[save : html.index(button)]


def test_the_form_shows_the_room_free_and_books_it_in_the_same_save(make_site, as_user):
    site, rooms = _events_and_house(make_site)
    salen = rooms["Stora salen"]
    editor = as_user(site, EDITOR)
    blank = editor.get("/evenemang/nytt").text
    assert 'name="book_room"' in blank and "Boka lokalen för evenemanget" in text_of(blank)
    _check_sits_at_the_room(blank, "/evenemang/nytt")
    assert 'id="lokalens-lage"' not in blank, "no answer before a check"

    # "Visa om lokalen är ledig": the same form back with the room's state at the button; nothing is saved.
    shown = editor.submit("/evenemang/nytt", {**_in(salen), "action": "visa_lokal"})
    assert shown.status_code == 200, text_of(shown.text)[:600]
    _check_sits_at_the_room(shown.text, "/evenemang/nytt")
    assert _answer(shown.text).startswith("Lokalen är ledig då, men inte bokad för evenemanget.")
    place = _place_fieldset(shown.text)
    assert place.index(CHECK.findall(place)[0]) < place.index('id="lokalens-lage"') < place.index('name="book_room"')
    # Everything typed is kept.
    assert 'value="Pensionärsdans"' in shown.text
    assert 'value="2027-03-09"' in shown.text and 'value="18:00"' in shown.text and 'value="20:00"' in shown.text
    assert re.search(rf'<option selected value="lokaler:{salen}">|<option value="lokaler:{salen}" selected', shown.text)
    assert re.search(r'<input[^>]* checked [^>]*name="book_room"', shown.text), "the box stays ticked"
    assert re.search(r'name="organisers" value="pro-karlskoga" checked', shown.text), "the organiser stays chosen"
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
    assert _answer(edit).startswith("Lokalen är bokad för evenemanget.")
    _check_sits_at_the_room(edit, f"/evenemang/{event.id}/redigera")
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
    shown = _answer(editor.submit("/evenemang/nytt", {**late, "action": "visa_lokal"}).text)
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


def test_the_check_answers_at_the_room_when_it_is_taken_or_the_form_needs_fixing(make_site, as_user):
    site, rooms = _events_and_house(make_site)
    salen = rooms["Stora salen"]
    other = as_user(site, OTHER_EDITOR).submit(
        f"/lokaler/{salen}/boka", booking_form(booker="member:degerfors-skidklubb", title="Vallaträff")
    )
    assert other.status_code == 303
    editor = as_user(site, EDITOR)

    # Taken: the answer says so where the page opens; the room field has the error too.
    taken = editor.submit("/evenemang/nytt", {**_in(salen), "action": "visa_lokal"})
    assert taken.status_code == 400
    _check_sits_at_the_room(taken.text, "/evenemang/nytt")
    answer = _answer(taken.text)
    assert answer.startswith("Lokalen är inte ledig då.")
    assert "Lokalen är redan upptagen då: Tisdag 9 mars 2027 18:00–20:00" in answer
    assert 'value="Pensionärsdans"' in taken.text

    # Something else is wrong: the answer says the check waits for it and links to the error summary.
    untitled = editor.submit("/evenemang/nytt", {**_in(salen, title=""), "action": "visa_lokal"})
    assert untitled.status_code == 400
    assert _answer(untitled.text) == (
        "Lokalen kunde inte kontrolleras: något annat i formuläret behöver rättas först. Till det som behöver rättas"
    )
    assert 'href="#felsammanfattning"' in untitled.text and 'id="felsammanfattning"' in untitled.text
    assert 'value="2027-03-09"' in untitled.text

    # No room chosen: the answer asks for one.
    roomless = editor.submit("/evenemang/nytt", {**_in(salen), "room": "", "action": "visa_lokal"})
    assert roomless.status_code == 200
    assert _answer(roomless.text) == "Välj en lokal i listan först, så syns om den är ledig."
    assert _events(site) == [] and [b.title for b in _bookings(site)] == ["Vallaträff"]


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
