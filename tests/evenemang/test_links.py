"""Links that lead people to pages that had none: an organiser reaches the
participant list of each of their events from "Mina evenemang", and every
association's page links its own calendar (.ics), even when nothing is
coming. (The browser reach walk, tests/browser/test_reach.py, follows them.)"""

from __future__ import annotations

import re

from core.testing import text_of
from tests.evenemang.conftest import EDITOR, event_form


def test_an_organiser_reaches_the_participant_list_from_my_events(ev_site, as_user):
    editor = as_user(ev_site, EDITOR)
    made = editor.submit("/evenemang/nytt", event_form(title="Kurs i svampkunskap"))
    event_id = int(made.headers["location"].rsplit("/", 1)[-1])
    weekly = editor.submit("/evenemang/nytt", event_form(title="Träning", repeat="weekly", repeat_until="2027-01-31"))
    assert weekly.status_code == 303, text_of(weekly.text)[:500]
    mine = editor.get("/evenemang/mina").text
    links = re.findall(r'href="(/evenemang/\d+/deltagare)"', mine)
    assert links == [f"/evenemang/{event_id}/deltagare"], "one link, and none for a series (no sign-up for those)"
    page = editor.get(links[0])
    assert page.status_code == 200 and "Kurs i svampkunskap" in text_of(page.text)


def test_an_association_page_links_its_calendar_even_with_nothing_coming(ev_site, as_user):
    visitor = as_user(ev_site, None)
    quiet = visitor.get("/foreningar/degerfors-skidklubb")
    assert quiet.status_code == 200
    assert "Inga kommande evenemang just nu." in text_of(quiet.text)
    assert 'href="/evenemang/forening/degerfors-skidklubb/kalender.ics"' in quiet.text
    as_user(ev_site, EDITOR).submit("/evenemang/nytt", event_form(title="Månadsmöte"))
    busy = visitor.get("/foreningar/pro-karlskoga").text
    assert "Månadsmöte" in text_of(busy) and 'href="/evenemang/forening/pro-karlskoga/kalender.ics"' in busy
    assert visitor.get("/evenemang/forening/degerfors-skidklubb/kalender.ics").status_code == 200
