"""What a new-user trial of the house found, each as a user meets it:
pickers for dates and times, the price said once, a time past midnight
named as such, the booking page's way back, the hour that has begun, and
an unknown association's calendar."""

from __future__ import annotations

from datetime import datetime

from core.testing import text_of
from tests.lokaler.conftest import ADMIN, EDITOR, STOCKHOLM, booking_form


def test_dates_and_times_have_the_browsers_pickers(lok_site, rooms, as_user):
    page = as_user(lok_site, EDITOR).get(f"/lokaler/{rooms['Mötesrum Ekan']}/boka").text
    assert 'type="date"' in page and 'name="day"' in page
    assert page.count('type="time"') == 2
    assert 'type="text" inputmode="numeric"' not in page


def test_the_price_is_said_once(lok_site, rooms, as_user):
    page = text_of(as_user(lok_site, EDITOR).get(f"/lokaler/{rooms['Stora salen']}/boka").text)
    assert "Pris för andra än medlemsföreningar: 600 kr per tillfälle." in page
    assert page.count("för andra än medlemsföreningar") == 1


def test_a_time_past_midnight_is_named(lok_site, rooms, as_user):
    answer = as_user(lok_site, EDITOR).submit(
        f"/lokaler/{rooms['Mötesrum Ekan']}/boka", booking_form(start="23:00", end="01:00")
    )
    text = text_of(answer.text)
    assert answer.status_code == 400
    assert "Sluttiden 01:00 är före starttiden 23:00" in text and "midnatt" in text
    assert "Sluttiden måste vara efter starttiden" not in text


def test_an_admin_on_someone_elses_booking_is_led_back_to_the_association(lok_site, rooms, as_user):
    answer = as_user(lok_site, EDITOR).submit(f"/lokaler/{rooms['Mötesrum Ekan']}/boka", booking_form())
    assert answer.status_code == 303
    mine = text_of(as_user(lok_site, EDITOR).get(answer.headers["location"]).text)
    assert "Mina bokningar" in mine
    admin = as_user(lok_site, ADMIN).get(answer.headers["location"]).text
    assert 'href="/lokaler/forening/pro-karlskoga">Bokningar för PRO Karlskoga</a>' in admin
    assert "Mina bokningar</a></p>" not in admin


def test_the_hour_that_has_begun_is_not_offered(lok_site, rooms, as_user):
    lok_site.clock.set(datetime(2027, 3, 3, 9, 30, tzinfo=STOCKHOLM))
    room = rooms["Mötesrum Ekan"]
    week = as_user(lok_site, None).get(f"/lokaler/{room}?vecka=2027-03-01").text
    assert "?datum=2027-03-03&amp;fran=09:00" not in week
    assert "?datum=2027-03-03&amp;fran=10:00" in week


def test_an_unknown_associations_calendar_is_not_found(lok_site, rooms, as_user):
    visitor = as_user(lok_site, None)
    assert visitor.get("/lokaler/forening/okand/kalender.ics").status_code == 404
    known = visitor.get("/lokaler/forening/pro-karlskoga/kalender.ics")
    assert known.status_code == 200 and "BEGIN:VCALENDAR" in known.text


def test_the_statistics_open_on_the_current_term_with_its_bookings_ahead(lok_site, rooms, as_user):
    """Opened without a period, the statistics count the term (January to
    June here), so the single bookings ahead of today are not left out."""
    assert (
        as_user(lok_site, EDITOR).submit(f"/lokaler/{rooms['Mötesrum Ekan']}/boka", booking_form()).status_code == 303
    )
    page = as_user(lok_site, ADMIN).get("/lokaler/statistik").text
    assert 'value="2027-01-01"' in page and 'value="2027-06-30"' in page and 'type="date"' in page
    assert "1 enstaka bokningar" in text_of(page)


def test_kristinehamns_demo_house_has_rooms_and_offices_of_its_own(make_site, as_user):
    """The demo's two houses are not copies: Kristinehamn's Föreningshuset
    has its own rooms and calls its offices by its own name."""
    from core.demo import load_demo
    from tests.conftest import DEFAULT_WEBPORTAL

    kristinehamn = make_site(
        slug="kristinehamn",
        plugins=["webportal", "lokaler"],
        plugin_settings={
            "webportal": DEFAULT_WEBPORTAL,
            "lokaler": 'house_name = "Föreningshuset"\noffices_name = "Kontorshotellet i Föreningshuset"\n',
        },
    )
    load_demo(kristinehamn, echo=lambda _: None)
    ours = text_of(as_user(kristinehamn, None).get("/lokaler/").text)
    assert "Vänersalen" in ours and "Stora salen" not in ours
    assert "Lediga kontorsplatser på Kontorshotellet i Föreningshuset" in ours and "Föreningsbyrån" not in ours
    vacant = text_of(as_user(kristinehamn, None).get("/lokaler/kontor").text)
    assert "Skrivbord 2" in vacant and "Skrivbordsplats B" not in vacant
    assert "Kontorshotellet i Föreningshuset hyr ut kontor" in vacant


def test_the_offices_are_named_by_default_as_in_karlskoga(lok_site, as_user):
    assert "Lediga kontorsplatser på Föreningsbyrån" in text_of(as_user(lok_site, None).get("/lokaler/").text)
