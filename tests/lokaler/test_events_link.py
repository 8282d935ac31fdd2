"""Point 6: an event of the events plugin can take place in a room of the
house (the ``bookable_places`` hook offers the rooms in the event form),
and the room's week shows the event (the ``place_uses`` hook)."""

from __future__ import annotations

from core.testing import text_of
from tests.conftest import DEFAULT_WEBPORTAL
from tests.evenemang.conftest import event_form
from tests.lokaler.conftest import ADMIN, TODAY, add_associations, add_rooms


def test_an_event_in_a_room_shows_in_the_rooms_week(make_site, as_user):
    from core.models import Role
    from core.testing import add_user
    from tests.lokaler.conftest import EDITOR, OTHER_EDITOR

    site = make_site(
        slug="lokev",
        plugins=["webportal", "evenemang", "lokaler"],
        plugin_settings={"webportal": DEFAULT_WEBPORTAL, "lokaler": 'address = "Bergsmansgatan 4, Karlskoga"\n'},
    )
    site.clock.set(TODAY)
    add_user(site, ADMIN, Role.ADMIN, "Ada Admin")
    add_user(site, EDITOR, Role.EDITOR, "Rita Redaktör")
    add_user(site, OTHER_EDITOR, Role.EDITOR, "Olle Annan")
    add_associations(site)
    rooms = add_rooms(site)
    salen = rooms["Stora salen"]
    admin = as_user(site, ADMIN)
    form = admin.get("/evenemang/nytt").text
    assert (
        f'<option value="lokaler:{salen}">Stora salen, Föreningarnas hus, Bergsmansgatan 4, Karlskoga</option>' in form
    )
    assert f'value="lokaler:{rooms["Projektor"]}"' not in form, "things are not places"
    answer = admin.submit(
        "/evenemang/nytt",
        event_form(
            title="Vårkonsert", start_date="2027-03-11", start_time="19:00", end_time="21:00", room=f"lokaler:{salen}"
        ),
    )
    assert answer.status_code == 303, text_of(answer.text)[:400]
    week = text_of(as_user(site, None).get(f"/lokaler/{salen}?vecka=2027-03-08").text)
    assert "Vårkonsert (evenemang)" in week
    other_week = text_of(as_user(site, None).get(f"/lokaler/{rooms['Mötesrum Ekan']}?vecka=2027-03-08").text)
    assert "Vårkonsert" not in other_week


def _events_and_house(make_site):
    from core.models import Role
    from core.testing import add_user
    from tests.lokaler.conftest import EDITOR, OTHER_EDITOR

    site = make_site(
        slug="lokev",
        plugins=["webportal", "evenemang", "lokaler"],
        plugin_settings={"webportal": DEFAULT_WEBPORTAL, "lokaler": 'address = "Bergsmansgatan 4, Karlskoga"\n'},
    )
    site.clock.set(TODAY)
    add_user(site, ADMIN, Role.ADMIN, "Ada Admin")
    add_user(site, EDITOR, Role.EDITOR, "Rita Redaktör")
    add_user(site, OTHER_EDITOR, Role.EDITOR, "Olle Annan")
    add_associations(site)
    return site, add_rooms(site)


def test_an_event_is_refused_a_room_booked_by_someone_else(make_site, as_user):
    """The events form asks the house (``place_bookings``) whether the room
    is free: a time booked by another association is refused with the
    time named and everything typed kept; the organisers' own booking, or
    a free time, is accepted."""
    from tests.lokaler.conftest import EDITOR, OTHER_EDITOR, booking_form

    site, rooms = _events_and_house(make_site)
    salen = rooms["Stora salen"]
    booked = as_user(site, OTHER_EDITOR).submit(
        f"/lokaler/{salen}/boka", booking_form(booker="member:degerfors-skidklubb", title="Vallaträff")
    )
    assert booked.status_code == 303, text_of(booked.text)[:400]
    editor = as_user(site, EDITOR)
    clash = event_form(
        title="Pensionärsdans",
        start_date="2027-03-09",
        start_time="19:00",
        end_time="21:00",
        room=f"lokaler:{salen}",
        organisers="pro-karlskoga",
    )
    refused = editor.submit("/evenemang/nytt", clash)
    assert refused.status_code == 400
    text = text_of(refused.text)
    assert "Lokalen är redan upptagen då: Tisdag 9 mars 2027 18:00–20:00 (Upptaget)" in text
    assert 'value="Pensionärsdans"' in refused.text, "what was typed is kept"
    # A weekly series meets the booking on one of its dates.
    series = {**clash, "start_date": "2027-03-02", "repeat": "weekly", "repeat_until": "2027-03-30"}
    assert "Tisdag 9 mars 2027" in text_of(editor.submit("/evenemang/nytt", series).text)
    # The skidklubb's own booking holds its own event.
    own = as_user(site, OTHER_EDITOR).submit(
        "/evenemang/nytt", {**clash, "title": "Vallakväll", "organisers": "degerfors-skidklubb"}
    )
    assert own.status_code == 303, text_of(own.text)[:600]
    # Another event of the site in that room at that time is a clash too.
    later = {**clash, "start_date": "2027-03-16"}
    assert editor.submit("/evenemang/nytt", later).status_code == 303
    again = editor.submit("/evenemang/nytt", {**later, "title": "Dubbelbokad dans"})
    assert again.status_code == 400
    assert "Pensionärsdans" in text_of(again.text)
    # Another time is free.
    assert editor.submit("/evenemang/nytt", {**clash, "start_date": "2027-03-23"}).status_code == 303


def test_the_rooms_calendar_carries_the_events_held_there(make_site, as_user):
    """The room's .ics (lokaler) lists the events held in the room, as the
    room's week does, with UIDs that stay the same between fetches."""
    import icalendar
    import vobject

    site, rooms = _events_and_house(make_site)
    salen = rooms["Stora salen"]
    admin = as_user(site, ADMIN)
    answer = admin.submit(
        "/evenemang/nytt",
        event_form(
            title="Vårkonsert", start_date="2027-03-11", start_time="19:00", end_time="21:00", room=f"lokaler:{salen}"
        ),
    )
    assert answer.status_code == 303
    visitor = as_user(site, None)
    first = visitor.get(f"/lokaler/{salen}/kalender.ics").text
    calendar = icalendar.Calendar.from_ical(first)
    found = [c for c in calendar.walk("VEVENT") if "Vårkonsert" in str(c["SUMMARY"])]
    assert len(found) == 1
    assert found[0].decoded("DTSTART").isoformat() == "2027-03-11T18:00:00+00:00"
    parsed = vobject.readOne(first)
    assert [v.summary.value for v in parsed.vevent_list] == ["Stora salen: Vårkonsert"]
    again = icalendar.Calendar.from_ical(visitor.get(f"/lokaler/{salen}/kalender.ics").text)
    assert [str(c["UID"]) for c in again.walk("VEVENT")] == [str(found[0]["UID"])]
    other = visitor.get(f"/lokaler/{rooms['Mötesrum Ekan']}/kalender.ics").text
    assert "Vårkonsert" not in other
