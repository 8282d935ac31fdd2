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
