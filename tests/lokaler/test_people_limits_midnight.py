"""Three gaps of issue 15 closed: the number of people is a column of its
own, checked against the room's capacity and shown to staff; the public
request form refuses a flood (per visitor and per e-mail address an hour,
by the client address as core sees it, not by X-Forwarded-For); and a
booking may end on the next day where the opening hours run past midnight,
with hours, closed days, length and collisions checked over both days."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlmodel import select

from core.app import create_app
from core.site import Site
from core.testing import Client, smtp_settings, text_of
from plugins.lokaler.models import Booking, BookingStatus, ClosedDay, OpeningHours, Resource
from tests.lokaler.conftest import ADMIN, EDITOR, add_rooms, booking_form, make_lok_site
from tests.lokaler.test_manage import _wait_for
from tests.lokaler.test_requests import request_form


def _bookings(site: Site) -> list[Booking]:
    with site.session() as db:
        return list(db.exec(select(Booking).order_by(Booking.start_utc)).all())


@contextmanager
def _client_from(site: Site, address: str) -> Iterator[Client]:
    """A visitor whose connection comes from ``address``."""
    with Client(create_app(site), base_url=site.base_url, client=(address, 50000)) as client:
        yield client


# The number of people


def test_the_number_of_people_is_kept_checked_and_shown(make_site, smtp_inbox, as_user):
    site = make_lok_site(make_site, extra=smtp_settings(smtp_inbox.port))
    room = add_rooms(site)["Mötesrum Ekan"]  # holds 12
    visitor = as_user(site, None)
    assert visitor.submit(f"/lokaler/{room}/forfragan", request_form(people="10")).status_code == 303
    (request,) = _bookings(site)
    assert request.attendees == 10 and request.title == "Schackkväll", "the number is a column, not in the title"
    _wait_for(smtp_inbox, 1)
    receipt = smtp_inbox.messages[0].get_body(preferencelist=("plain",)).get_content()
    assert "Antal personer: 10" in receipt

    admin = as_user(site, ADMIN)
    assert "Schackkväll (10 personer)" in text_of(admin.get("/lokaler/granska").text)
    page = text_of(admin.get(f"/lokaler/bokning/{request.id}").text)
    assert "Antal personer 10 (rummet rymmer 12)" in page

    # The editor's form asks for it too, and refuses more than the room holds.
    editor = as_user(site, EDITOR)
    assert 'name="attendees"' in editor.get(f"/lokaler/{room}/boka").text
    crowded = editor.submit(f"/lokaler/{room}/boka", booking_form(day="2027-03-10", attendees="13"))
    assert crowded.status_code == 400 and "Mötesrum Ekan rymmer högst 12 personer." in text_of(crowded.text)
    assert len(_bookings(site)) == 1
    assert editor.submit(f"/lokaler/{room}/boka", booking_form(day="2027-03-10", attendees="7")).status_code == 303
    booked = [b for b in _bookings(site) if b.id != request.id]
    assert [b.attendees for b in booked] == [7]
    assert "Antal personer 7" in text_of(editor.get(f"/lokaler/bokning/{booked[0].id}").text)


# Hourly limits on the public form


def _ask(client: Client, room: int, n: int, **overrides: object):
    """The n-th request of the day: an hour of its own (08-09, 09-10, ...) so none collides."""
    return client.submit(
        f"/lokaler/{room}/forfragan",
        request_form(start=f"{8 + n:02d}:00", end=f"{9 + n:02d}:00", **overrides),
    )


def test_one_visitor_may_send_only_so_many_requests_an_hour(lok_site, rooms, as_user):
    room = rooms["Mötesrum Ekan"]
    visitor = as_user(lok_site, None)
    for n in range(5):
        assert _ask(visitor, room, n, contact_email=f"p{n}@example.org").status_code == 303
    stopped = _ask(visitor, room, 5, contact_email="sista@example.org")
    assert stopped.status_code == 429
    assert "Det har kommit många förfrågningar härifrån" in text_of(stopped.text)
    assert 'value="sista@example.org"' in stopped.text, "what was typed stays"
    assert len(_bookings(lok_site)) == 5
    # A double click of an earlier request is still answered kindly and stores nothing new.
    assert _ask(visitor, room, 0, contact_email="p0@example.org").status_code == 303
    assert len(_bookings(lok_site)) == 5
    # An hour later the visitor may ask again.
    lok_site.clock.set(lok_site.clock.now() + timedelta(minutes=61))
    assert _ask(visitor, room, 5, contact_email="sista@example.org").status_code == 303
    assert len(_bookings(lok_site)) == 6


def test_one_address_may_be_sent_only_so_many_requests_from_anywhere(lok_site, rooms):
    room = rooms["Mötesrum Ekan"]
    for n in range(5):
        with _client_from(lok_site, f"198.51.100.{10 + n}") as visitor:
            assert _ask(visitor, room, n, contact_email="Offer@Example.org").status_code == 303
    with _client_from(lok_site, "203.0.113.9") as fresh:
        stopped = _ask(fresh, room, 5, contact_email="offer@example.org")
        assert stopped.status_code == 429 and "från den e-postadressen" in text_of(stopped.text)
        # Another address from that visitor is fine.
        assert _ask(fresh, room, 6, contact_email="egen@example.org").status_code == 303
    assert len(_bookings(lok_site)) == 6


def test_a_forged_forwarded_for_does_not_reset_the_limit(lok_site, rooms):
    """The site trusts no proxy, so X-Forwarded-For is only what the client wrote."""
    room = rooms["Mötesrum Ekan"]
    with _client_from(lok_site, "198.51.100.77") as script:
        answers = []
        for n in range(6):
            script.headers["X-Forwarded-For"] = f"10.0.0.{n}"
            answers.append(_ask(script, room, n, contact_email=f"s{n}@example.org").status_code)
    assert answers == [303] * 5 + [429]
    assert len(_bookings(lok_site)) == 5


# Past midnight


def _night_room(site: Site, max_minutes: int = 480) -> int:
    """A room for dances: Friday 18-24 and Saturday 00-03 (the hours run past midnight), nothing else."""
    with site.session() as db:
        room = Resource(
            name="Danslokalen", capacity=50, max_minutes=max_minutes, for_members=True, for_organisations=True
        )
        db.add(room)
        db.flush()
        assert room.id is not None
        db.add(OpeningHours(resource_id=room.id, weekday=4, opens=18 * 60, closes=1440))
        db.add(OpeningHours(resource_id=room.id, weekday=5, opens=0, closes=3 * 60))
        db.add(ClosedDay(day=datetime(2027, 3, 20).date(), reason="Städdag", resource_id=room.id))
        db.commit()
        return room.id


def test_a_request_past_midnight_where_the_hours_run_past_it(lok_site, rooms, as_user):
    room = _night_room(lok_site, max_minutes=420)
    visitor = as_user(lok_site, None)
    assert 'name="end_day"' in visitor.get(f"/lokaler/{room}/forfragan").text
    friday = dict(day="2027-03-12", start="20:00", end="02:00", end_day="2027-03-13", people="40")
    answer = visitor.submit(f"/lokaler/{room}/forfragan", request_form(**friday))
    assert answer.status_code == 303, text_of(answer.text)[:500]
    (booking,) = _bookings(lok_site)
    # 20:00 and 02:00 in Stockholm in March (CET) are 19:00 and 01:00 UTC.
    assert (booking.start_utc, booking.end_utc) == (datetime(2027, 3, 12, 19, 0), datetime(2027, 3, 13, 1, 0))
    admin_page = text_of(as_user(lok_site, ADMIN).get(f"/lokaler/bokning/{booking.id}").text)
    assert "2027-03-12 20:00 – 2027-03-13 02:00" in admin_page

    cases = {
        "utanför öppettiderna: lördag 00:00–03:00": dict(day="2027-04-02", end="04:00", end_day="2027-04-03"),
        "kan inte bokas över midnatt": dict(day="2027-04-01", start="20:00", end="02:00", end_day="2027-04-02"),
        "Huset är stängt 2027-03-20 (Städdag)": dict(day="2027-03-19", end="01:00", end_day="2027-03-20"),
        "för lång: högst 420 minuter": dict(day="2027-04-02", start="18:00", end="03:00", end_day="2027-04-03"),
        "Slutar bokningen efter midnatt?": dict(day="2027-04-02", start="22:00", end="01:00", end_day=""),
    }
    for expected, times in cases.items():
        wanted = {"start": "20:00", "people": "30", "contact_email": f"{len(expected)}@example.org"} | times
        refused = visitor.submit(f"/lokaler/{room}/forfragan", request_form(**wanted))
        assert refused.status_code == 400, expected
        assert expected in text_of(refused.text), (expected, text_of(refused.text)[:800])
    assert len(_bookings(lok_site)) == 1

    # The time held past midnight collides with a later request for the small hours.
    small_hours = dict(day="2027-03-13", start="01:00", end="02:30", end_day="", people="5")
    taken = visitor.submit(f"/lokaler/{room}/forfragan", request_form(contact_email="natt@example.org", **small_hours))
    assert taken.status_code == 409 and "Tiden är redan bokad" in text_of(taken.text)
    assert len(_bookings(lok_site)) == 1


def test_an_editor_books_past_midnight_only_where_it_is_open(lok_site, rooms, as_user):
    editor = as_user(lok_site, EDITOR)
    # The minibus is open around the clock: a weekend away, Friday 16:00 to Sunday 18:00.
    bus = rooms["Minibussen"]
    weekend = booking_form(day="2027-03-12", start="16:00", end="18:00", end_day="2027-03-14")
    answer = editor.submit(f"/lokaler/{bus}/boka", weekend)
    assert answer.status_code == 303, text_of(answer.text)[:500]
    (trip,) = _bookings(lok_site)
    assert trip.status == BookingStatus.REQUESTED  # the minibus waits for staff
    assert trip.end_utc - trip.start_utc == timedelta(hours=50)
    assert "2027-03-12 16:00 – 2027-03-14 18:00" in text_of(editor.get(answer.headers["location"]).text)

    # A room open 08-22 cannot be booked past midnight; the end date field says where it can.
    ekan = rooms["Mötesrum Ekan"]
    assert "Över midnatt går det där öppettiderna tillåter det." in text_of(editor.get(f"/lokaler/{ekan}/boka").text)
    late = editor.submit(f"/lokaler/{ekan}/boka", booking_form(start="21:00", end="01:00", end_day="2027-03-10"))
    assert late.status_code == 400 and "Mötesrum Ekan kan inte bokas över midnatt" in text_of(late.text)
    # An end date equal to the start date is the same as none.
    same_day = editor.submit(f"/lokaler/{ekan}/boka", booking_form(end_day="2027-03-09"))
    assert same_day.status_code == 303
    assert len(_bookings(lok_site)) == 2

    # The night room without the overnight tick: its hours alone allow Friday night into Saturday.
    night = _night_room(lok_site)
    dance = booking_form(day="2027-03-12", start="21:00", end="02:00", end_day="2027-03-13", attendees="45")
    assert editor.submit(f"/lokaler/{night}/boka", dance).status_code == 303
    assert len(_bookings(lok_site)) == 3
