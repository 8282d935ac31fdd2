"""People in the park: a resident joins (consent recorded), signs up for a
work session and cancels, gets a reminder, sees their hours; coordinators
see the member list; the retention rule and self-deletion remove data; the
iCal feed carries the sessions."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from click.testing import CliRunner
from icalendar import Calendar
from sqlalchemy import create_engine, text
from sqlmodel import select

from core import cli as cli_module
from core.api import mail_folder
from core.models import Role
from plugins.odling.models import Member, Observation, Signup
from tests.conftest import add_user, text_of
from tests.odling_fixtures import TODAY, add_member, add_session, member_token, odling_site

JOIN = {
    "name": "Rut Resident",
    "email": "Rut@Test.example",
    "phone": "",
    "interests": "arbetspass",
    "message": "Jag har odlat potatis i 40 år.",
    "consent": "y",
    "homepage": "",
}


def test_a_resident_joins_and_signs_up_for_a_session(make_site, make_client):
    site = odling_site(make_site)
    work = add_session(site, "Rensa ogräs i kryddbädden", days=3, places=2)
    client = make_client(site)

    joined = client.submit("/parken/bli-medlem", JOIN)
    assert joined.status_code == 303
    token = member_token(joined.headers["location"])
    page = text_of(client.get(joined.headers["location"]).text)
    assert "Välkommen som medlem!" in page and "vi har också skickat den till din e-post" in page
    assert "Hej Rut Resident!" in page and "Rensa ogräs i kryddbädden" in page and "2 lediga platser" in page

    with site.session() as db:
        member = db.exec(select(Member)).one()
    assert member.email == "rut@test.example" and member.interest_keys == ["arbetspass"]
    assert "samtycker" in member.consent_text and member.consented_at is not None
    assert member.delete_after == date(2028, 7, 15)  # 24 months after the last activity
    assert f"/parken/mitt/{token}" in _only_mail(site)["body"]

    signed = client.submit(f"/parken/mitt/{token}/pass/{work}/anmal")
    assert signed.status_code == 303
    mine = text_of(client.get(signed.headers["location"]).text)
    assert "Du är anmäld till Rensa ogräs i kryddbädden" in mine and "Du är anmäld. Avboka" in mine
    assert "1 av 2 platser lediga" in text_of(client.get("/parken/pass").text)

    # Signing up twice keeps one place.
    client.submit(f"/parken/mitt/{token}/pass/{work}/anmal")
    with site.session() as db:
        assert len(db.exec(select(Signup)).all()) == 1

    cancelled = client.submit(f"/parken/mitt/{token}/pass/{work}/avboka")
    assert "Du är avbokad" in text_of(client.get(cancelled.headers["location"]).text)
    assert "2 av 2 platser lediga" in text_of(client.get("/parken/pass").text)


def _only_mail(site) -> dict[str, str]:
    files = sorted(mail_folder(site).glob("*.eml"))
    assert len(files) == 1, files
    message = message_from_bytes(files[0].read_bytes(), policy=default_policy)
    return {"to": message["To"], "subject": message["Subject"], "body": message.get_content()}


def test_the_join_form_explains_what_is_missing(make_site, make_client):
    site = odling_site(make_site)
    client = make_client(site)
    form = client.get("/parken/bli-medlem").text
    assert '<label for="consent">' in form and 'id="samtycke-text"' in form
    refused = client.submit("/parken/bli-medlem", {"name": "Ove", "interests": "odla"})
    assert refused.status_code == 400
    page = text_of(refused.text)
    assert "Kryssa i rutan för att vi ska få spara dina uppgifter." in page
    assert "Skriv din e-postadress eller ditt telefonnummer" not in page  # reported once the consent is given
    again = text_of(client.submit("/parken/bli-medlem", {"name": "Ove", "interests": "odla", "consent": "y"}).text)
    assert "Skriv din e-postadress eller ditt telefonnummer, så att vi kan nå dig." in again
    with site.session() as db:
        assert db.exec(select(Member)).all() == []


def test_a_full_session_takes_no_more_and_past_sessions_are_closed(make_site, make_client):
    site = odling_site(make_site)
    full = add_session(site, "Litet pass", days=2, places=1)
    past = add_session(site, "Förra veckans pass", days=-7)
    first, second = add_member(site, "Första", "forsta@test.example"), add_member(site, "Andra", "andra@test.example")
    client = make_client(site)
    client.submit(f"/parken/mitt/{first.token}/pass/{full}/anmal")
    refused = client.submit(f"/parken/mitt/{second.token}/pass/{full}/anmal")
    assert "Litet pass är fullt" in text_of(client.get(refused.headers["location"]).text)
    late = client.submit(f"/parken/mitt/{second.token}/pass/{past}/anmal")
    assert "Passet har redan börjat" in text_of(client.get(late.headers["location"]).text)
    with site.session() as db:
        assert [(s.session_id, s.member_id) for s in db.exec(select(Signup)).all()] == [(full, first.id)]
    assert client.get("/parken/mitt/fel-lank").status_code == 404


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_sign_ups_for_the_last_place_do_not_overfill(make_site, make_client):
    """Two volunteers press "Anmäl mig" for the last place at the same moment (two
    worker processes on PostgreSQL): the one whose transaction commits second is
    told the session is full. The first holds its transaction open here, so the
    second's request runs while the place still looks free to a plain count."""
    site = odling_site(make_site)
    last = add_session(site, "Sista platsen", days=2, places=1)
    first, second = add_member(site, "Första", "forsta@test.example"), add_member(site, "Andra", "andra@test.example")
    client = make_client(site)
    client.get("/parken/pass")  # the CSRF cookie, before the other thread posts
    answer: dict[str, object] = {}

    def press() -> None:
        answer["response"] = client.submit(f"/parken/mitt/{second.token}/pass/{last}/anmal")

    engine = create_engine(site.database_url)
    watcher = create_engine(site.database_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as held:
            held.execute(text("SELECT id FROM odling_work_session WHERE id = :id FOR UPDATE"), {"id": last})
            held.execute(
                text("INSERT INTO odling_signup (session_id, member_id, signed_up_at) VALUES (:s, :m, now())"),
                {"s": last, "m": first.id},
            )
            thread = threading.Thread(target=press)
            thread.start()
            deadline = time.monotonic() + 10
            with watcher.connect() as look:
                while thread.is_alive() and time.monotonic() < deadline:
                    waiting = look.execute(
                        text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
                    ).scalar_one()
                    if waiting:
                        break
                    time.sleep(0.02)
            held.commit()
        thread.join(20)
    finally:
        engine.dispose()
        watcher.dispose()
    assert not thread.is_alive()
    response = answer["response"]
    assert "Sista platsen är fullt. Välj ett annat pass." in text_of(client.get(response.headers["location"]).text)
    with site.session() as db:
        assert [s.member_id for s in db.exec(select(Signup).where(Signup.session_id == last)).all()] == [first.id]


def test_attendance_counts_hours_per_member(make_site, make_client):
    site = odling_site(make_site)
    done = add_session(site, "Vattna", days=-3, hours=3)
    rut, ove = add_member(site, "Rut", "rut@test.example"), add_member(site, "Ove", "", "070-111 22 33")
    with site.session() as db:
        for member in (rut, ove):
            db.add(Signup(session_id=done, member_id=member.id))
        db.commit()
        rut_signup = db.exec(select(Signup).where(Signup.member_id == rut.id)).one()
    add_user(site, "admin@test.example", Role.ADMIN)
    client = make_client(site)
    client.login("admin@test.example")
    session_page = text_of(client.get(f"/parken/pass/{done}").text)
    assert "Anmälda (2)" in session_page and "070-111 22 33 · ingen e-post: ring" in session_page
    client.submit(f"/parken/samordning/pass/{done}/narvaro", {"narvarande": str(rut_signup.id)})
    members = text_of(client.get("/parken/samordning/medlemmar").text)
    assert "2 medlemmar, 3 ideella timmar totalt." in members
    assert "Rut rut@test.example Komma på arbetspass 1 3" in members
    assert "Ove 070-111 22 33 Komma på arbetspass 1 0" in members
    mine = text_of(make_client(site).get(f"/parken/mitt/{rut.token}").text)
    assert "3 timmar i parken" in mine and "Vattna (3 timmar)" in mine


def test_reminders_go_out_once_before_a_session(make_site, make_client):
    site = odling_site(make_site)
    soon = add_session(site, "Plocka vinbär", days=1)
    later = add_session(site, "Äppelplockning", days=20)
    rut, ove = add_member(site, "Rut", "rut@test.example"), add_member(site, "Ove", "", "070-111 22 33")
    with site.session() as db:
        for work in (soon, later):
            for member in (rut, ove):
                db.add(Signup(session_id=work, member_id=member.id))
        db.commit()
    add_user(site, "admin@test.example", Role.ADMIN)
    client = make_client(site)
    client.login("admin@test.example")
    first = client.submit("/parken/samordning/paminnelser")
    assert "1 påminnelse skickad." in text_of(client.get(first.headers["location"]).text)
    reminder = _only_mail(site)
    assert reminder["to"] == "rut@test.example"
    assert reminder["subject"] == "Påminnelse: Plocka vinbär 2026-07-16"
    assert "kl. 17:00–19:00" in reminder["body"] and f"/parken/mitt/{rut.token}" in reminder["body"]
    second = client.submit("/parken/samordning/paminnelser")
    assert "Ingen behövde påminnas just nu." in text_of(client.get(second.headers["location"]).text)
    assert len(list(mail_folder(site).glob("*.eml"))) == 1


def test_members_delete_themselves_and_the_retention_rule_prunes(make_site, make_client, monkeypatch):
    site = odling_site(make_site)
    leaving = add_member(site, "Lämnar", "lamnar@test.example")
    stale = add_member(site, "Inaktiv", "inaktiv@test.example")
    active = add_member(site, "Aktiv", "aktiv@test.example")
    with site.session() as db:
        db.add(Observation(observed_on=TODAY, taxon="apis-mellifera", count=4, member_id=stale.id))
        row = db.get(Member, stale.id)
        row.delete_after = TODAY - timedelta(days=1)
        db.add(row)
        db.commit()
    client = make_client(site)
    unconfirmed = client.submit(f"/parken/mitt/{leaving.token}/radera")
    assert unconfirmed.headers["location"].endswith("#radera")
    gone = client.submit(f"/parken/mitt/{leaving.token}/radera", {"bekrafta": "ja"})
    assert "Dina uppgifter är raderade" in text_of(client.get(gone.headers["location"]).text)
    assert client.get(f"/parken/mitt/{leaving.token}").status_code == 404

    monkeypatch.setenv("PARAPLY_SITES_DIR", str(site.folder.parent))
    monkeypatch.setenv("PARAPLY_DATABASE_URL", site.database_url)
    cli_module._register_plugin_commands()  # as `paraply` does at start
    result = CliRunner().invoke(cli_module.cli, ["odling-gallra", "--site", site.slug])
    assert result.exit_code == 0, result.output
    assert "1 medlemmar raderade." in result.output
    with site.session() as db:
        assert [m.name for m in db.exec(select(Member)).all()] == ["Aktiv"]
        # The count stays for the statistics, without a name.
        assert [o.member_id for o in db.exec(select(Observation)).all()] == [None]
    assert active.token


def test_the_ical_feed_lists_sessions(make_site, make_client):
    site = odling_site(make_site)
    work = add_session(site, "Skördefest", days=5, places=20)
    member = add_member(site)
    with site.session() as db:
        db.add(Signup(session_id=work, member_id=member.id))
        db.commit()
    response = make_client(site).get("/parken/pass.ics")
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Skördefest"]
    event = events[0]
    assert event["DTSTART"].dt.isoformat() == "2026-07-20T15:00:00+00:00"
    assert event["DTEND"].dt.isoformat() == "2026-07-20T17:00:00+00:00"
    assert str(event["UID"]).endswith("@testsite.example")
    assert "Lediga platser: 19 av 20." in str(event["DESCRIPTION"])
    assert str(event["URL"]) == f"http://testsite.example/parken/pass/{work}"


def test_only_admins_appoint_coordinators(make_site, make_client):
    site = odling_site(make_site)
    add_user(site, "admin@test.example", Role.ADMIN)
    add_user(site, "sam@test.example", Role.EDITOR, "Sam Samordnare")
    client = make_client(site)
    client.login("admin@test.example")
    client.submit("/parken/samordning/samordnare", {"email": "sam@test.example", "ansvar": "Bikuporna"})
    assert "Sam Samordnare (Bikuporna)" in text_of(client.get("/parken/samordning").text)
    sam = make_client(site)
    sam.login("sam@test.example")
    assert sam.get("/parken/samordning/medlemmar").status_code == 200
    assert "Samordning" in text_of(sam.get("/").text)
    assert sam.submit("/parken/samordning/samordnare", {"email": "sam@test.example"}).status_code == 403
