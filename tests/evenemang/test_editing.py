"""Writing events: an editor publishes for their own association, an admin
for anyone, approval when the site asks for it, and bad input that comes
back with a Swedish message and everything typed kept."""

from __future__ import annotations

import re

from sqlmodel import select

from core.testing import text_of
from plugins.evenemang.models import Event, Organiser, Review
from tests.evenemang.conftest import ADMIN, EDITOR, OTHER_EDITOR, event_form
from tests.test_directory_admin import png_bytes


def _events(site) -> list[Event]:
    with site.session() as db:
        return list(db.exec(select(Event)).all())


def test_an_editor_publishes_for_their_association_and_visitors_see_it(ev_site, as_user):
    editor = as_user(ev_site, EDITOR)
    response = editor.submit("/evenemang/nytt", event_form(title="Julfest för medlemmar"))
    assert response.status_code == 303
    page = editor.get(response.headers["location"], follow_redirects=True)
    assert "Evenemanget ”Julfest för medlemmar” är publicerat." in text_of(page.text)

    visitor = as_user(ev_site, None)
    event_page = text_of(visitor.get(response.headers["location"]).text)
    assert "Julfest för medlemmar" in event_page
    assert "Tisdag 8 december 2026, 18:00–20:00" in event_page
    assert "PRO Karlskoga" in event_page and "PRO-lokalen, Skolgatan 7, Karlskoga" in event_page
    assert "Julfest för medlemmar" in text_of(visitor.get("/evenemang").text)
    assert "Julfest för medlemmar" in text_of(visitor.get("/evenemang/manad?manad=2026-12").text)
    assert "Julfest för medlemmar" not in text_of(visitor.get("/evenemang/manad?manad=2027-01").text)
    # The association's page lists its coming events.
    association = text_of(visitor.get("/foreningar/pro-karlskoga").text)
    assert "Kommande evenemang" in association and "Julfest för medlemmar" in association


def test_an_editor_cannot_publish_for_or_edit_another_association(ev_site, as_user):
    other = as_user(ev_site, OTHER_EDITOR)
    response = other.submit("/evenemang/nytt", event_form(title="Smygevenemang"))
    assert response.status_code == 400
    assert "Välj vilken av dina föreningar som ordnar evenemanget." in text_of(response.text)
    assert _events(ev_site) == []

    editor = as_user(ev_site, EDITOR)
    location = editor.submit("/evenemang/nytt", event_form()).headers["location"]
    assert other.get(location + "/redigera").status_code == 403
    assert other.submit(location + "/redigera", event_form(title="Kapad")).status_code == 403
    assert other.submit(location + "/ta-bort", {"bekrafta": "ja"}).status_code == 403
    assert _events(ev_site)[0].title == "Månadsmöte"
    # An admin may edit anyone's.
    admin = as_user(ev_site, ADMIN)
    assert admin.submit(location + "/redigera", event_form(title="Ändrat av admin")).status_code == 303
    assert _events(ev_site)[0].title == "Ändrat av admin"


def test_approval_required_keeps_an_editors_event_private_until_an_admin_publishes(make_site, as_user):
    from core.models import Role
    from core.testing import add_user
    from tests.conftest import DEFAULT_WEBPORTAL
    from tests.evenemang.conftest import TODAY, add_associations

    site = make_site(
        slug="ev",
        plugins=["webportal", "evenemang"],
        plugin_settings={"webportal": DEFAULT_WEBPORTAL, "evenemang": 'prefix = "/"\nrequire_approval = true\n'},
    )
    site.clock.set(TODAY)
    add_user(site, ADMIN, Role.ADMIN)
    add_user(site, EDITOR, Role.EDITOR)
    add_user(site, OTHER_EDITOR, Role.EDITOR)
    add_associations(site)
    editor = as_user(site, EDITOR)
    response = editor.submit("/evenemang/nytt", event_form(title="Väntande möte"))
    assert response.status_code == 303
    location = response.headers["location"]
    assert "väntar på att en administratör godkänner" in text_of(editor.get(location).text)
    visitor = as_user(site, None)
    assert visitor.get(location).status_code == 404
    assert "Väntande möte" not in visitor.get("/evenemang").text
    assert visitor.get(location + ".ics").status_code == 404

    admin = as_user(site, ADMIN)
    assert "Väntande möte" in text_of(admin.get("/evenemang/granska").text)
    event_id = location.rsplit("/", 1)[-1]
    assert editor.submit(f"/evenemang/{event_id}/granska", {"beslut": "publicera"}).status_code == 403
    assert admin.submit(f"/evenemang/{event_id}/granska", {"beslut": "publicera"}).status_code == 303
    assert "Väntande möte" in text_of(visitor.get("/evenemang").text)
    assert _events(site)[0].review == Review.PUBLISHED


def test_end_before_start_is_refused_with_everything_kept(ev_site, as_user):
    editor = as_user(ev_site, EDITOR)
    response = editor.submit("/evenemang/nytt", event_form(title="Baklängesmöte", start_time="20:00", end_time="18:00"))
    assert response.status_code == 400
    page = text_of(response.text)
    assert "Evenemanget måste sluta efter att det börjar." in page
    assert 'value="Baklängesmöte"' in response.text and 'value="PRO-lokalen"' in response.text
    assert _events(ev_site) == []


def test_a_time_skipped_by_the_dst_change_is_refused(ev_site, as_user):
    editor = as_user(ev_site, EDITOR)
    response = editor.submit(
        "/evenemang/nytt", event_form(start_date="2027-03-28", start_time="02:30", end_time="04:00")
    )
    assert response.status_code == 400
    assert "Klockan 02:30 finns inte den 2027-03-28" in text_of(response.text)
    assert _events(ev_site) == []


def test_a_series_must_end_and_stay_under_the_limit(ev_site, as_user):
    editor = as_user(ev_site, EDITOR)
    never = editor.submit("/evenemang/nytt", event_form(repeat="custom", rrule="FREQ=DAILY"))
    assert never.status_code == 400
    assert "En upprepning måste sluta" in text_of(never.text)
    too_many = editor.submit("/evenemang/nytt", event_form(repeat="custom", rrule="FREQ=DAILY;COUNT=100000"))
    assert too_many.status_code == 400
    assert "Serien blir längre än 520 tillfällen" in text_of(too_many.text)
    no_until = editor.submit("/evenemang/nytt", event_form(repeat="weekly"))
    assert "Välj till och med vilket datum evenemanget upprepas." in text_of(no_until.text)
    junk = editor.submit("/evenemang/nytt", event_form(repeat="custom", rrule="FREQ=SOMETIMES;COUNT=3"))
    assert junk.status_code == 400 and "Upprepningsregeln går inte att läsa" in text_of(junk.text)
    bad_exception = editor.submit(
        "/evenemang/nytt", event_form(repeat="weekly", repeat_until="2027-02-01", exdates="2026-12-15, julafton")
    )
    assert "”julafton” är inget datum" in text_of(bad_exception.text)
    assert _events(ev_site) == []


def test_junk_in_every_field_gives_no_500(ev_site, as_user):
    editor = as_user(ev_site, EDITOR)
    for junk in (
        {"start_date": "2026-13-45"},
        {"start_date": "99999-01-01"},
        {"start_time": "25:99"},
        {"end_date": "igår"},
        {"repeat": "hourly"},
        {"status": "exploded"},
        {"age_group": "x" * 500},
        {"contact_email": "inte en adress"},
        {"link": "javascript:alert(1)"},
        {"title": ""},
    ):
        response = editor.submit("/evenemang/nytt", event_form(**junk))
        assert response.status_code in (303, 400), (junk, response.status_code)
        assert response.status_code == 400 or junk in (
            {"repeat": "hourly"},
            {"status": "exploded"},
            {"age_group": "x" * 500},
        ), junk
    visitor = as_user(ev_site, None)
    for path in (
        "/evenemang/9223372036854775808",
        "/evenemang/99999999999999999999999.ics",
        "/evenemang/manad?manad=0000-00",
        "/evenemang/vecka?dag=2026-02-30",
        "/evenemang/dag?datum=x",
        "/evenemang?fran=9999999-1-1&sida=99999999999999999999",
        "/natverket/kalender?fran=junk&sajt=%00",
    ):
        assert visitor.get(path).status_code in (200, 404), path


def test_significant_changes_bump_the_sequence_and_cancelling_marks_the_event(ev_site, as_user):
    editor = as_user(ev_site, EDITOR)
    location = editor.submit("/evenemang/nytt", event_form()).headers["location"]
    assert _events(ev_site)[0].sequence == 0
    editor.submit(location + "/redigera", event_form(summary="Ny text"))  # not significant
    assert _events(ev_site)[0].sequence == 0
    editor.submit(location + "/redigera", event_form(start_time="17:00"))
    assert _events(ev_site)[0].sequence == 1
    editor.submit(location + "/redigera", event_form(start_time="17:00", status="cancelled"))
    event = _events(ev_site)[0]
    assert event.sequence == 2 and event.status == "cancelled"
    page = text_of(as_user(ev_site, None).get(location).text)
    assert "Inställt Evenemanget är inställt." in page


def test_deleting_needs_the_box_ticked(ev_site, as_user):
    editor = as_user(ev_site, EDITOR)
    location = editor.submit("/evenemang/nytt", event_form()).headers["location"]
    assert editor.submit(location + "/ta-bort", {}).status_code == 303
    assert len(_events(ev_site)) == 1
    assert editor.submit(location + "/ta-bort", {"bekrafta": "ja"}).status_code == 303
    assert _events(ev_site) == []
    with ev_site.session() as db:
        assert db.exec(select(Organiser)).all() == []


def test_signed_out_visitors_are_sent_to_log_in(ev_site, as_user):
    visitor = as_user(ev_site, None)
    for path in ("/evenemang/nytt", "/evenemang/mina", "/evenemang/granska"):
        response = visitor.get(path, follow_redirects=False)
        assert response.status_code in (302, 303) and "/konto/logga-in" in response.headers["location"], path


def test_an_event_picture_is_shown_in_the_sizes_made_on_upload(ev_site, as_user):
    """The event page shows its picture with core's picture macro (issue 17): WebP in the sizes made on
    upload, width and height set so nothing jumps, fetched first as the page's main picture (not lazy)."""
    editor = as_user(ev_site, EDITOR)
    photo = png_bytes((1600, 900))
    response = editor.submit(
        "/evenemang/nytt",
        event_form(title="Fotoutställning", image_alt="Tavlor på en vägg"),
        files={"image_file": ("foto.png", photo, "image/png")},
    )
    assert response.status_code == 303, response.text
    page = as_user(ev_site, None).get(response.headers["location"]).text
    picture = re.search(r"<picture[^>]*>.*?</picture>", page, re.S)
    assert picture, "no <picture> on the event page"
    markup = picture.group(0)
    assert '<source type="image/webp" srcset="' in markup and " 640w" in markup
    img = re.search(r"<img [^>]*>", markup).group(0)  # type: ignore[union-attr]
    assert 'alt="Tavlor på en vägg"' in img and 'width="' in img and 'height="' in img
    assert 'fetchpriority="high"' in img and "loading=" not in img
    assert 'src="/uploads/' in img and "/uploads/evenemang" in markup


def test_saving_a_change_says_what_happened(ev_site, as_user):
    """Found in a new-user trial: setting an event to cancelled said "är publicerat"."""
    editor = as_user(ev_site, EDITOR)
    location = editor.submit("/evenemang/nytt", event_form()).headers["location"]
    assert "är publicerat" in text_of(editor.get(location).text)  # the new event's message, read once
    moved = editor.submit(location + "/redigera", event_form(title="Månadsmöte i nya lokalen"))
    assert moved.status_code == 303
    page = text_of(editor.get(moved.headers["location"], follow_redirects=True).text)
    assert "Ändringarna i ”Månadsmöte i nya lokalen” är sparade." in page and "publicerat" not in page
    cancelled = editor.submit(location + "/redigera", event_form(title="Månadsmöte", status="cancelled"))
    assert cancelled.status_code == 303
    page = text_of(editor.get(cancelled.headers["location"], follow_redirects=True).text)
    assert "Evenemanget ”Månadsmöte” är ändrat och visas som inställt." in page
    assert _events(ev_site)[0].status == "cancelled"


def test_an_association_page_says_each_date_once(ev_site, as_user):
    """A two-day event read "Måndag 21 december 2026, 21 dec.–22 dec." on the
    association's page (new-user trial): the span is now said once."""
    editor = as_user(ev_site, EDITOR)
    for form in (
        event_form(title="Julmarknad", start_date="2026-12-21", end_date="2026-12-22", all_day="y"),
        event_form(
            title="Nattvandring", start_date="2026-12-18", start_time="22:00", end_date="2026-12-19", end_time="02:00"
        ),
        event_form(title="Styrelsemöte", start_date="2026-12-15"),
    ):
        assert editor.submit("/evenemang/nytt", form).status_code == 303
    page = text_of(as_user(ev_site, None).get("/foreningar/pro-karlskoga").text)
    assert "Måndag 21 december 2026 – tisdag 22 december 2026, heldag" in page
    assert "21 dec." not in page and "22 dec." not in page
    assert "Fredag 18 december 2026 22:00 – lördag 19 december 2026 02:00" in page
    assert "Tisdag 15 december 2026, 18:00–20:00" in page
