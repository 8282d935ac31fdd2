"""Festival programmes: an admin opens a call, an association editor sends
in an item, the admin accepts, asks for changes or declines with a message
that reaches the submitter over real SMTP; accepted items are events (in
the calendar), shown by day and stage, printable and in the programme's
.ics. Bad input: after the deadline, times that do not work, other
associations, junk addresses."""

from __future__ import annotations

from datetime import datetime, timedelta

import icalendar
from sqlmodel import select

from core.testing import text_of
from plugins.evenemang.models import Event
from plugins.evenemang.programme_models import ItemState, ProgrammeItem
from tests.evenemang.conftest import ADMIN, EDITOR, OTHER_EDITOR, STOCKHOLM
from tests.evenemang.programme_helpers import (
    item_form,
    link_in,
    mail_site,
    make_programme,
    submit_item,
    wait_for_mail,
)


def _item(site, item_id: int) -> ProgrammeItem:
    with site.session() as db:
        row = db.get(ProgrammeItem, item_id)
        assert row is not None
        return row


def test_a_submission_is_accepted_and_shows_in_the_programme_and_the_calendar(make_site, smtp_inbox, as_user):
    site = mail_site(make_site, smtp_inbox)
    admin, editor = as_user(site, ADMIN), as_user(site, EDITOR)
    assert make_programme(admin) == "/evenemang/program/kalaset-2026"
    page = text_of(editor.get("/evenemang/program/kalaset-2026").text)
    assert "Skicka in ert bidrag senast lördag 5 december 2026" in page
    item_id = submit_item(editor)
    assert "Dragspel på scen" in text_of(editor.get("/evenemang/mina-bidrag").text)
    assert "Dragspel på scen" not in text_of(editor.get("/evenemang/program/kalaset-2026").text), "not before review"

    queue = text_of(admin.get("/evenemang/program/kalaset-2026/granska").text)
    assert "Väntar på granskning (1)" in queue and "El och två stolar." in queue
    answer = admin.submit(f"/evenemang/bidrag/{item_id}/granska", {"beslut": "accept", "meddelande": "Välkomna!"})
    assert answer.status_code == 303

    (mail,) = wait_for_mail(smtp_inbox, 1)
    assert mail["To"] == "rita@pro.example"
    assert mail["Subject"] == "Antaget till Kultur- och föreningskalaset: Dragspel på scen"
    assert "Välkomna!" in mail.get_content()
    assert link_in(mail, "/evenemang/program/") == "/evenemang/program/kalaset-2026"

    programme = text_of(editor.get("/evenemang/program/kalaset-2026").text)
    assert "Lördag 12 december 2026 Stora scenen 13:00–13:45 Dragspel på scen PRO Karlskoga" in programme
    assert "1 programpunkter från 1 föreningar" in programme
    row = _item(site, item_id)
    assert row.state == ItemState.ACCEPTED and row.event_id is not None
    with site.session() as db:
        event = db.get(Event, row.event_id)
        assert event is not None
        assert event.starts_at == datetime(2026, 12, 12, 13, 0) and event.place_name == "Stora scenen, Möckelngården"
    listing = text_of(editor.get("/evenemang/dag?datum=2026-12-12").text)
    assert "Dragspel på scen" in listing, "an accepted item is an event in the calendar"
    assert "Antaget" in text_of(editor.get("/evenemang/mina-bidrag").text)


def test_asking_for_changes_mails_the_message_and_a_change_sends_it_back(make_site, smtp_inbox, as_user):
    site = mail_site(make_site, smtp_inbox)
    admin, editor = as_user(site, ADMIN), as_user(site, EDITOR)
    make_programme(admin)
    item_id = submit_item(editor)
    answer = admin.submit(
        f"/evenemang/bidrag/{item_id}/granska", {"beslut": "changes", "meddelande": "Kan ni spela i Tältet i stället?"}
    )
    assert answer.status_code == 303
    (mail,) = wait_for_mail(smtp_inbox, 1)
    assert mail["Subject"] == "Ändringar behövs: Dragspel på scen"
    assert "Kan ni spela i Tältet i stället?" in mail.get_content()
    edit_path = link_in(mail, "/evenemang/bidrag/")
    assert edit_path == f"/evenemang/bidrag/{item_id}"
    page = text_of(editor.get(edit_path).text)
    assert "Ändringar önskas" in page and "Kan ni spela i Tältet i stället?" in page
    assert editor.submit(edit_path, item_form(stage="Tältet")).status_code == 303
    row = _item(site, item_id)
    assert row.state == ItemState.PENDING and row.stage == "Tältet"
    assert "Väntar på granskning (1)" in text_of(admin.get("/evenemang/program/kalaset-2026/granska").text)


def test_declining_needs_a_message_and_keeps_the_admins_choice(make_site, smtp_inbox, as_user):
    site = mail_site(make_site, smtp_inbox)
    admin, editor = as_user(site, ADMIN), as_user(site, EDITOR)
    make_programme(admin)
    item_id = submit_item(editor)
    refused = admin.submit(f"/evenemang/bidrag/{item_id}/granska", {"beslut": "decline", "meddelande": ""})
    assert refused.status_code == 400
    assert "Skriv ett meddelande till föreningen" in text_of(refused.text)
    assert 'value="decline" checked' in refused.text
    nothing = admin.submit(f"/evenemang/bidrag/{item_id}/granska", {"meddelande": "Hej"})
    assert nothing.status_code == 400 and "Välj om bidraget ska antas" in text_of(nothing.text)
    assert ">Hej</textarea>" in nothing.text, "the message typed is kept"
    assert _item(site, item_id).state == ItemState.PENDING
    assert (
        admin.submit(f"/evenemang/bidrag/{item_id}/granska", {"beslut": "decline", "meddelande": "Fullt."}).status_code
        == 303
    )
    (mail,) = wait_for_mail(smtp_inbox, 1)
    assert (
        mail["Subject"] == "Inte med i Kultur- och föreningskalaset: Dragspel på scen"
        and "Fullt." in mail.get_content()
    )
    assert _item(site, item_id).state == ItemState.DECLINED
    again = editor.submit(f"/evenemang/bidrag/{item_id}", item_form(title="Nytt försök"))
    assert again.status_code == 303 and _item(site, item_id).title == "Dragspel på scen", (
        "a decided item is not changed"
    )


def test_a_submission_after_the_deadline_is_refused_and_nothing_typed_is_lost(make_site, smtp_inbox, as_user):
    site = mail_site(make_site, smtp_inbox)
    admin, editor = as_user(site, ADMIN), as_user(site, EDITOR)
    make_programme(admin)
    form_page = editor.get("/evenemang/program/kalaset-2026/bidra")
    assert form_page.status_code == 200
    site.clock.set(datetime(2026, 12, 6, 0, 5, tzinfo=STOCKHOLM))  # the deadline (5 Dec) passed five minutes ago
    late = editor.submit("/evenemang/program/kalaset-2026/bidra", item_form(title="Sent påkommet"))
    assert late.status_code == 400
    text = text_of(late.text)
    assert "Sista dagen för bidrag var lördag 5 december 2026" in text
    assert "Det du skrev finns kvar nedan" in text and 'value="Sent påkommet"' in late.text
    assert "PRO:s dragspelsklubb spelar." in late.text
    with site.session() as db:
        assert db.exec(select(ProgrammeItem)).first() is None
    assert "Skicka in ett bidrag" not in text_of(editor.get("/evenemang/program/kalaset-2026").text)


def test_bad_submissions_say_what_is_wrong(make_site, smtp_inbox, as_user):
    site = mail_site(make_site, smtp_inbox)
    admin, editor = as_user(site, ADMIN), as_user(site, EDITOR)
    make_programme(admin)
    path = "/evenemang/program/kalaset-2026/bidra"
    backwards = editor.submit(path, item_form(start_time="14:00", end_time="13:00"))
    assert backwards.status_code == 400 and "måste sluta efter att den börjar" in text_of(backwards.text)
    other = editor.submit(path, item_form(association="degerfors-skidklubb"))
    assert other.status_code == 400 and "Välj en av dina föreningar" in text_of(other.text)
    outside = editor.submit(path, item_form(day="2027-01-01"))
    assert outside.status_code == 400 and "Välj en av programmets dagar" in text_of(outside.text)
    junk = editor.submit(path, item_form(day="x" * 300, start_time="25:99", stage="Månen", contact_email="nej"))
    assert junk.status_code == 400 and "giltig e-postadress" in text_of(junk.text)
    with site.session() as db:
        assert db.exec(select(ProgrammeItem)).first() is None
    assert editor.get(f"/evenemang/bidrag/{2**64}").status_code == 404
    assert editor.get("/evenemang/program/finns-inte").status_code == 404
    assert editor.get("/evenemang/program/" + "x" * 500).status_code == 404
    # The other editor may not see PRO's item; an anonymous visitor is sent to log in.
    item_id = submit_item(editor)
    assert as_user(site, OTHER_EDITOR).get(f"/evenemang/bidrag/{item_id}").status_code == 403
    anonymous = as_user(site, None).get(f"/evenemang/bidrag/{item_id}", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/konto/logga-in")


def test_the_programme_form_refuses_a_taken_address_and_days_backwards(make_site, smtp_inbox, as_user):
    site = mail_site(make_site, smtp_inbox)
    admin = as_user(site, ADMIN)
    make_programme(admin)
    taken = admin.submit(
        "/evenemang/nytt-program", {"title": "Annat", "slug": "kalaset-2026", "first_day": "2027-01-01", "stages": "A"}
    )
    assert taken.status_code == 400 and "redan ett annat program" in text_of(taken.text)
    backwards = admin.submit(
        "/evenemang/nytt-program",
        {
            "title": "Framtidsveckan",
            "slug": "framtid",
            "first_day": "2027-03-10",
            "last_day": "2027-03-01",
            "stages": "A",
        },
    )
    assert backwards.status_code == 400 and "Sista dagen kan inte vara före första dagen" in text_of(backwards.text)
    assert 'value="Framtidsveckan"' in backwards.text
    bad_slug = admin.submit(
        "/evenemang/nytt-program", {"title": "X", "slug": "Å Ä", "first_day": "2027-03-10", "stages": "A"}
    )
    assert bad_slug.status_code == 400 and "bara a–z" in text_of(bad_slug.text)


def test_the_programme_calendar_and_the_printable_programme(make_site, smtp_inbox, as_user):
    site = mail_site(make_site, smtp_inbox)
    admin, editor = as_user(site, ADMIN), as_user(site, EDITOR)
    make_programme(admin)
    accepted = submit_item(editor)
    waiting = submit_item(editor, title="Väntande punkt", start_time="15:00", end_time="15:30")
    sunday = submit_item(
        editor, title="Söndagsfika", day="2026-12-13", stage="Tältet", start_time="10:00", end_time="11:00"
    )
    for item_id in (accepted, sunday):
        assert admin.submit(f"/evenemang/bidrag/{item_id}/granska", {"beslut": "accept"}).status_code == 303
    assert waiting

    response = editor.get("/evenemang/program/kalaset-2026/kalender.ics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    assert calendar["X-WR-CALNAME"] == "Kultur- och föreningskalaset"
    events = sorted(calendar.walk("VEVENT"), key=lambda e: e.decoded("DTSTART"))
    assert [str(e["SUMMARY"]) for e in events] == ["Dragspel på scen", "Söndagsfika"]
    assert events[0].decoded("DTSTART").utcoffset() == timedelta(hours=1)
    assert str(events[1]["LOCATION"]).startswith("Tältet, Möckelngården")
    etag = response.headers["etag"]
    assert (
        editor.get("/evenemang/program/kalaset-2026/kalender.ics", headers={"If-None-Match": etag}).status_code == 304
    )

    printed = editor.get("/evenemang/program/kalaset-2026/utskrift")
    assert printed.status_code == 200
    text = text_of(printed.text).split("Tillbaka till programmet", 1)[1]  # after the flashed messages
    assert (
        "Lördag 12 december 2026 lördag 12 december 2026 Tid Vad Var Förening "
        "13:00–13:45 Dragspel på scen Stora scenen PRO Karlskoga" in text
    )
    assert "Söndag 13 december 2026" in text and "Väntande punkt" not in text
    css = editor.get("/static/evenemang/programme.css").text
    assert "@page{size:A4" in css and "@media print" in css


def test_a_submission_sent_twice_makes_one_item(make_site, smtp_inbox, as_user):
    """A double-click sends the submission form twice: the form's key makes
    it one item, both at once (two connections) and one after the other."""
    import re
    from concurrent.futures import ThreadPoolExecutor

    site = mail_site(make_site, smtp_inbox)
    make_programme(as_user(site, ADMIN))
    editor = as_user(site, EDITOR)

    def form_key(client) -> str:
        found = re.search(r'name="inskick" value="([^"]+)"', client.get("/evenemang/program/kalaset-2026/bidra").text)
        assert found is not None
        return found.group(1)

    key = form_key(editor)
    first = editor.submit("/evenemang/program/kalaset-2026/bidra", {**item_form(), "inskick": key})
    again = editor.submit("/evenemang/program/kalaset-2026/bidra", {**item_form(), "inskick": key})
    assert first.status_code == again.status_code == 303
    assert "är inskickat" in text_of(editor.get(again.headers["location"]).text)
    clients = [as_user(site, EDITOR), as_user(site, EDITOR)]
    together = form_key(clients[0])
    with ThreadPoolExecutor(2) as pool:
        answers = list(
            pool.map(
                lambda c: c.submit(
                    "/evenemang/program/kalaset-2026/bidra", {**item_form(title="Kör i tältet"), "inskick": together}
                ),
                clients,
            )
        )
    assert [a.status_code for a in answers] == [303, 303]
    # A new form is a new item, even with the same text.
    assert (
        editor.submit("/evenemang/program/kalaset-2026/bidra", {**item_form(), "inskick": form_key(editor)}).status_code
        == 303
    )
    with site.session() as db:
        titles = sorted(i.title for i in db.exec(select(ProgrammeItem)).all())
    assert titles == ["Dragspel på scen", "Dragspel på scen", "Kör i tältet"]
