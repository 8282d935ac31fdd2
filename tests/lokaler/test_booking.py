"""Booking a room as an association's editor: single times, a weekly
series with its preview of collisions, and every rule a wanted time can
break, each answered in Swedish with nothing saved."""

from __future__ import annotations

from sqlmodel import select

from core.testing import text_of
from plugins.lokaler.models import Booking, BookingStatus, Resource
from tests.lokaler.conftest import EDITOR, OTHER_EDITOR, booking_form


def _bookings(site) -> list[Booking]:
    with site.session() as db:
        return list(db.exec(select(Booking).order_by(Booking.start_utc)).all())


def test_an_editor_books_a_free_time_and_sees_it_busy(lok_site, rooms, as_user):
    room = rooms["Mötesrum Ekan"]
    editor = as_user(lok_site, EDITOR)
    form_page = editor.get(f"/lokaler/{room}/boka?datum=2027-03-09&fran=18:00")
    assert form_page.status_code == 200
    assert 'value="member:pro-karlskoga"' in form_page.text
    answer = editor.submit(f"/lokaler/{room}/boka", booking_form())
    assert answer.status_code == 303, text_of(answer.text)[:400]
    booking = _bookings(lok_site)[0]
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.association_name == "PRO Karlskoga"
    # 18:00 in Stockholm in March (CET) is 17:00 UTC.
    assert booking.start_utc.hour == 17
    page = text_of(editor.get(answer.headers["location"]).text)
    assert "Bekräftad" in page and "2027-03-09 18:00–20:00" in page
    # Anyone sees the time as busy, without who booked it (not public).
    week = text_of(as_user(lok_site, None).get(f"/lokaler/{room}?vecka=2027-03-08").text)
    assert "Upptaget" in week and "Styrelsemöte" not in week
    # The same time again is refused in Swedish, nothing saved.
    again = editor.submit(f"/lokaler/{room}/boka", booking_form(title="Igen"))
    assert again.status_code == 409
    assert "Tiden är redan bokad" in text_of(again.text)
    assert len(_bookings(lok_site)) == 1


def test_a_public_booking_shows_who_in_the_week(lok_site, rooms, as_user):
    room = rooms["Mötesrum Ekan"]
    as_user(lok_site, EDITOR).submit(f"/lokaler/{room}/boka", booking_form(is_public="y", title="Öppet möte"))
    week = text_of(as_user(lok_site, None).get(f"/lokaler/{room}?vecka=2027-03-08").text)
    assert "Öppet möte (PRO Karlskoga)" in week


def test_rules_are_explained_and_nothing_saved(lok_site, rooms, as_user):
    room = rooms["Mötesrum Ekan"]
    editor = as_user(lok_site, EDITOR)
    cases = {
        "utanför öppettiderna": booking_form(start="21:00", end="23:00"),
        "över midnatt": booking_form(start="21:00", end="01:00", end_day="2027-03-10"),
        "Sluttiden måste vara efter starttiden": booking_form(start="20:00", end="18:00"),
        "för kort": booking_form(start="18:00", end="18:15"),
        "för lång": booking_form(start="08:00", end="21:00"),
        "dagar i förväg": booking_form(day="2028-03-07"),
        "redan varit": booking_form(day="2027-03-01"),
        "finns inte den 2027-03-28": booking_form(day="2027-03-28", start="02:30", end="04:00"),
        "stängt 2027-03-26": booking_form(day="2027-03-26"),  # långfredagen
    }
    for expected, form in cases.items():
        answer = editor.submit(f"/lokaler/{room}/boka", form)
        assert answer.status_code == 400, expected
        assert expected in text_of(answer.text), (expected, text_of(answer.text)[:600])
        assert 'value="Styrelsemöte"' in answer.text  # what was typed is kept
    assert _bookings(lok_site) == []


def test_a_series_is_previewed_and_books_only_the_free_dates(lok_site, rooms, as_user):
    room = rooms["Mötesrum Ekan"]
    other = as_user(lok_site, OTHER_EDITOR)
    taken = other.submit(
        f"/lokaler/{room}/boka",
        booking_form(booker="member:degerfors-skidklubb", day="2027-03-16", start="19:00", end="21:00"),
    )
    assert taken.status_code == 303
    editor = as_user(lok_site, EDITOR)
    series = booking_form(repeat="weekly", until="2027-04-06")
    preview = editor.submit(f"/lokaler/{room}/boka", series)
    assert preview.status_code == 200
    shown = text_of(preview.text)
    assert "Förhandsvisning av serien" in shown and "1 av datumen går inte att boka" in shown
    assert "Krockar" in shown  # 16 March
    assert len(_bookings(lok_site)) == 1, "a preview saves nothing"
    # Cancel: nothing saved.
    cancelled = editor.submit(f"/lokaler/{room}/boka", {**series, "action": "avbryt"})
    assert cancelled.status_code == 303
    assert len(_bookings(lok_site)) == 1
    # Book the free ones.
    done = editor.submit(f"/lokaler/{room}/boka", {**series, "action": "boka_lediga"})
    assert done.status_code == 303, text_of(done.text)[:500]
    mine = [b for b in _bookings(lok_site) if b.association_slug == "pro-karlskoga"]
    days = [b.start_utc.date().isoformat() for b in mine]
    assert days == ["2027-03-09", "2027-03-23", "2027-03-30", "2027-04-06"], days
    assert len({b.series_id for b in mine}) == 1 and mine[0].series_id
    # 18:00 local before and after the DST change (28 March): 17:00 and 16:00 UTC.
    assert [b.start_utc.hour for b in mine] == [17, 17, 16, 16]


def test_other_organisations_wait_for_approval(lok_site, rooms, as_user):
    room = rooms["Mötesrum Ekan"]  # open to other organisations
    editor = as_user(lok_site, EDITOR)
    answer = editor.submit(f"/lokaler/{room}/boka", booking_form(booker="organisation", organisation="Studieförbundet"))
    assert answer.status_code == 303
    assert _bookings(lok_site)[0].status == BookingStatus.REQUESTED
    missing_name = editor.submit(f"/lokaler/{room}/boka", booking_form(booker="organisation", day="2027-03-10"))
    assert missing_name.status_code == 400 and "Skriv organisationens eller ditt namn" in text_of(missing_name.text)


def test_a_resource_removed_while_the_form_was_open(lok_site, rooms, as_user):
    room = rooms["Mötesrum Ekan"]
    editor = as_user(lok_site, EDITOR)
    assert editor.get(f"/lokaler/{room}/boka").status_code == 200
    with lok_site.session() as db:
        resource = db.get(Resource, room)
        assert resource is not None
        db.delete(resource)
    answer = editor.submit(f"/lokaler/{room}/boka", booking_form())
    assert answer.status_code == 409
    assert "togs bort medan du fyllde i formuläret" in text_of(answer.text)
    assert _bookings(lok_site) == []


def test_an_editor_may_book_only_for_their_own_association(lok_site, rooms, as_user):
    room = rooms["Mötesrum Ekan"]
    answer = as_user(lok_site, OTHER_EDITOR).submit(f"/lokaler/{room}/boka", booking_form())
    assert answer.status_code == 400
    assert "Välj en förening som du får boka för" in text_of(answer.text)
    assert _bookings(lok_site) == []


def test_the_house_in_english(lok_site, rooms, as_user):
    visitor = as_user(lok_site, None)
    page = text_of(visitor.get(f"/lokaler/{rooms['Mötesrum Ekan']}?vecka=2027-03-08&lang=en").text)
    assert "Free times" in page and "Opening hours" in page and "Lediga tider" not in page
    editor = as_user(lok_site, EDITOR)
    editor.get("/lokaler/?lang=en")
    refused = editor.submit(f"/lokaler/{rooms['Mötesrum Ekan']}/boka", booking_form(start="21:00", end="23:00"))
    assert "The time is outside the opening hours" in text_of(refused.text)
