"""Registration: places, sign-up with name and e-mail (or the account),
the waiting list offered when the last place is gone and moved up (by
mail) when someone cancels, cancellation by a signed single-use link, the
organiser's list as HTML and CSV, the daily erasure and the report's
figures. Mail goes through a real SMTP server."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from sqlalchemy import text, update

from core.testing import text_of
from plugins.evenemang import registration_report
from plugins.evenemang.registration_models import RegistrationSetup, RegState
from tests.evenemang.conftest import ADMIN, EDITOR, OTHER_EDITOR
from tests.evenemang.programme_helpers import (
    confirm_link,
    event_with_places,
    link_in,
    mail_site,
    mail_to,
    sign_up_confirmed,
    wait_for_mail,
)
from tests.evenemang.programme_helpers import (
    registrations as _rows,
)
from tests.evenemang.programme_helpers import (
    taken as _taken,
)


def test_a_resident_signs_up_and_gets_a_confirmation_with_a_cancel_link(make_site, smtp_inbox, as_user):
    site = mail_site(make_site, smtp_inbox)
    event_id = event_with_places(as_user(site, EDITOR), places=20)
    resident = as_user(site, None)
    page = text_of(resident.get(f"/evenemang/{event_id}").text)
    assert "Anmälan 20 platser kvar av 20. Anmäl dig" in page
    form = resident.get(f"/evenemang/{event_id}/anmal")
    assert "Vi sparar ditt namn och din e-post för anmälan och tar bort dem 30 dagar efter evenemanget" in text_of(
        form.text
    )
    answer = resident.submit(f"/evenemang/{event_id}/anmal", {"name": "Vera Vuxen", "email": "vera@example.se"})
    assert answer.status_code == 303 and answer.headers["location"] == f"/evenemang/{event_id}"
    assert "Vi har skickat ett mejl till vera@example.se. Anmälan gäller när du har följt länken i mejlet" in text_of(
        resident.get(answer.headers["location"]).text
    )
    assert "20 platser kvar av 20" in text_of(resident.get(f"/evenemang/{event_id}").text), "not yet confirmed"
    (asking,) = wait_for_mail(smtp_inbox, 1)
    assert asking["To"] == "vera@example.se" and asking["Subject"] == "Bekräfta din anmälan: Månadsmöte"
    confirm_path = confirm_link(smtp_inbox, "vera@example.se")
    shown = resident.get(confirm_path)
    assert shown.status_code == 200 and "Anmälan gäller Vera Vuxen (vera@example.se)." in text_of(shown.text)
    assert _rows(site, event_id)[0].state == RegState.PENDING, "a GET (a mail scanner) confirms nothing"
    done = resident.submit(confirm_path, {})
    assert done.status_code == 303 and done.headers["location"] == f"/evenemang/{event_id}"
    assert "Du är anmäld. En bekräftelse är skickad till vera@example.se." in text_of(
        resident.get(done.headers["location"]).text
    )
    assert "19 platser kvar av 20" in text_of(resident.get(f"/evenemang/{event_id}").text)
    wait_for_mail(smtp_inbox, 2)
    (mail,) = [m for m in mail_to(smtp_inbox, "vera@example.se") if m["Subject"] == "Du är anmäld: Månadsmöte"]
    body = mail.get_content()
    assert "Hej Vera Vuxen!" in body and "tisdag 8 december 2026, 18:00–20:00" in body and "PRO-lokalen" in body
    assert link_in(mail, "/evenemang/avboka/").startswith("/evenemang/avboka/")
    again = resident.submit(confirm_path, {})
    assert again.status_code == 303 and _taken(site, event_id) == 1, "the link followed twice takes one place"

    bad = resident.submit(f"/evenemang/{event_id}/anmal", {"name": "", "email": "inte-en-adress"})
    assert bad.status_code == 400
    assert "Skriv ditt namn." in text_of(bad.text) and "giltig e-postadress" in text_of(bad.text)
    assert 'value="inte-en-adress"' in bad.text, "what was typed stays"
    assert len(_rows(site, event_id)) == 1 and _taken(site, event_id) == 1


def test_a_signed_in_account_is_filled_in_and_linked(make_site, smtp_inbox, as_user):
    site = mail_site(make_site, smtp_inbox)
    event_id = event_with_places(as_user(site, EDITOR), places=5)
    other = as_user(site, OTHER_EDITOR)
    form = other.get(f"/evenemang/{event_id}/anmal").text
    assert 'value="Olle Annan"' in form and f'value="{OTHER_EDITOR}"' in form
    assert (
        other.submit(f"/evenemang/{event_id}/anmal", {"name": "Olle Annan", "email": OTHER_EDITOR}).status_code == 303
    )
    (row,) = _rows(site, event_id)
    assert row.user_id is not None and row.state == RegState.CONFIRMED


def test_a_full_event_offers_the_waiting_list_and_a_cancellation_moves_it_up(make_site, smtp_inbox, as_user):
    site = mail_site(make_site, smtp_inbox)
    event_id = event_with_places(as_user(site, EDITOR), places=1)
    first, second = as_user(site, None), as_user(site, None)
    first_form = first.get(f"/evenemang/{event_id}/anmal")
    second_form = second.get(f"/evenemang/{event_id}/anmal")
    assert "1 plats kvar av 1" in text_of(first_form.text) and "1 plats kvar av 1" in text_of(second_form.text)
    confirmed = sign_up_confirmed(first, smtp_inbox, event_id, {"name": "Anna", "email": "anna@example.se"})
    assert confirmed.status_code == 303
    # The second visitor had the form open while the last place went: they are offered the waiting list.
    late = second.submit(f"/evenemang/{event_id}/anmal", {"name": "Bo Bengtsson", "email": "bo@example.se"})
    assert late.status_code == 400
    assert "Platserna tog slut precis innan du skickade. Vill du stå på väntelistan?" in text_of(late.text)
    assert 'value="Bo Bengtsson"' in late.text and 'name="vantelista" value="ja"' in late.text
    assert [r.name for r in _rows(site, event_id)] == ["Anna"], "nothing stored without a yes to the waiting list"
    answer = sign_up_confirmed(
        second, smtp_inbox, event_id, {"name": "Bo Bengtsson", "email": "bo@example.se", "vantelista": "ja"}
    )
    assert answer.status_code == 303
    assert "Du står på väntelistan, plats 1." in text_of(second.get(answer.headers["location"]).text)
    assert "Alla platser är tagna. Du kan ställa dig på väntelistan." in text_of(
        second.get(f"/evenemang/{event_id}").text
    )
    wait_for_mail(smtp_inbox, 4)
    (waiting_mail,) = [m for m in mail_to(smtp_inbox, "bo@example.se") if "Bekräfta" not in m["Subject"]]
    assert waiting_mail["Subject"] == "Du står på väntelistan: Månadsmöte" and "(plats 1)" in waiting_mail.get_content()

    # Anna cancels through her link: GET only asks, POST cancels, Bo moves up and is told.
    (anna_mail,) = [m for m in mail_to(smtp_inbox, "anna@example.se") if "Bekräfta" not in m["Subject"]]
    cancel_path = link_in(anna_mail, "/evenemang/avboka/")
    visitor = as_user(site, None)
    asked = visitor.get(cancel_path)
    assert asked.status_code == 200 and "Anmälan gäller Anna (anna@example.se)." in text_of(asked.text)
    assert [r.state for r in _rows(site, event_id)] == [RegState.CONFIRMED, RegState.WAITING], "a GET changes nothing"
    done = visitor.submit(cancel_path, {})
    assert done.status_code == 303, text_of(done.text)
    after = text_of(visitor.get(done.headers["location"]).text)
    assert "Din anmälan till ”Månadsmöte” är avbokad." in after
    assert "redan" not in after, "one's own cancellation is not called 'already cancelled' (new-user trial)"
    assert [r.state for r in _rows(site, event_id)] == [RegState.CANCELLED, RegState.CONFIRMED]
    assert _taken(site, event_id) == 1
    wait_for_mail(smtp_inbox, 5)
    moved = mail_to(smtp_inbox, "bo@example.se")[-1]
    assert moved["Subject"] == "Du har fått en plats: Månadsmöte"
    assert "En plats blev ledig och den är din nu." in moved.get_content()

    # The link replayed: a clear message, nothing changes, no more mail.
    replay = visitor.submit(cancel_path, {})
    assert replay.status_code == 200
    again = text_of(replay.text)
    assert "Anmälan är redan avbokad" in again and "Du behöver inte göra något mer." in again
    assert [r.state for r in _rows(site, event_id)] == [RegState.CANCELLED, RegState.CONFIRMED]
    assert len(smtp_inbox.messages) == 5

    # A forged or garbled link: 404 with what to do.
    forged = cancel_path[:-3] + ("AAA" if not cancel_path.endswith("AAA") else "BBB")
    for path in (forged, "/evenemang/avboka/" + "x" * 5000, "/evenemang/avboka/WzEsImEiXQ"):
        response = visitor.get(path)
        assert response.status_code == 404 and "Länken gäller inte" in text_of(response.text)
    assert visitor.submit(forged, {}).status_code == 404


def test_without_a_waiting_list_a_full_event_says_so(make_site, smtp_inbox, as_user):
    site = mail_site(make_site, smtp_inbox)
    event_id = event_with_places(as_user(site, EDITOR), places=1, waiting_list=False)
    visitor = as_user(site, None)
    assert (
        sign_up_confirmed(visitor, smtp_inbox, event_id, {"name": "Anna", "email": "anna@example.se"}).status_code
        == 303
    )
    assert "Alla platser är tagna." in text_of(visitor.get(f"/evenemang/{event_id}").text)
    full = visitor.submit(f"/evenemang/{event_id}/anmal", {"name": "Bo", "email": "bo@example.se", "vantelista": "ja"})
    assert full.status_code == 400 and "ingen väntelista" in text_of(full.text)
    assert len(_rows(site, event_id)) == 1


def test_the_organisers_list_settings_and_csv(make_site, smtp_inbox, as_user):
    site = mail_site(make_site, smtp_inbox)
    editor = as_user(site, EDITOR)
    event_id = event_with_places(editor, places=1)
    visitor = as_user(site, None)
    sign_up_confirmed(visitor, smtp_inbox, event_id, {"name": '=HYPERLINK("x")', "email": "anna@example.se"})
    sign_up_confirmed(visitor, smtp_inbox, event_id, {"name": "Bo", "email": "bo@example.se", "vantelista": "ja"})
    page = text_of(editor.get(f"/evenemang/{event_id}/deltagare").text)
    assert "1 av 1 platser tagna, 1 på väntelistan." in page
    assert "anna@example.se Anmäld" in page and "Bo bo@example.se På väntelistan" in page

    sheet = editor.get(f"/evenemang/{event_id}/deltagare.csv")
    assert sheet.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(sheet.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Namn", "E-post", "Status", "Anmäld"]
    assert rows[1][:3] == ['\'=HYPERLINK("x")', "anna@example.se", "Anmäld"], "a formula is not run by a spreadsheet"
    assert rows[2][:3] == ["Bo", "bo@example.se", "På väntelistan"]

    fewer = editor.submit(f"/evenemang/{event_id}/anmalan", {"places": "0", "is_open": "y"})
    assert fewer.status_code == 400 and "mellan 1 och 100 000" in text_of(fewer.text)
    huge = editor.submit(f"/evenemang/{event_id}/anmalan", {"places": str(2**70), "is_open": "y"})
    assert huge.status_code == 400
    junk = editor.submit(f"/evenemang/{event_id}/anmalan", {"places": "många", "is_open": "y"})
    assert junk.status_code == 400 and 'value="många"' in junk.text
    more = editor.submit(f"/evenemang/{event_id}/anmalan", {"places": "2", "is_open": "y", "waiting_list": "y"})
    assert more.status_code == 303
    assert "1 från väntelistan fick plats och har fått mejl." in text_of(editor.get(more.headers["location"]).text)
    assert [r.state for r in _rows(site, event_id)] == [RegState.CONFIRMED, RegState.CONFIRMED]
    wait_for_mail(smtp_inbox, 5)
    assert mail_to(smtp_inbox, "bo@example.se")[-1]["Subject"] == "Du har fått en plats: Månadsmöte"
    below = editor.submit(f"/evenemang/{event_id}/anmalan", {"places": "1", "is_open": "y"})
    assert below.status_code == 400 and "2 personer har redan en plats. Skriv minst 2" in text_of(below.text)

    assert as_user(site, OTHER_EDITOR).get(f"/evenemang/{event_id}/deltagare").status_code == 403
    assert as_user(site, OTHER_EDITOR).get(f"/evenemang/{event_id}/deltagare.csv").status_code == 403
    assert as_user(site, ADMIN).get(f"/evenemang/{event_id}/deltagare.csv").status_code == 200
    anonymous = as_user(site, None).get(f"/evenemang/{event_id}/deltagare", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/konto/logga-in")


def test_registration_closes_when_the_event_starts_and_unknown_events_are_404(make_site, smtp_inbox, as_user):
    site = mail_site(make_site, smtp_inbox)
    event_id = event_with_places(as_user(site, EDITOR), places=3)
    visitor = as_user(site, None)
    assert visitor.get(f"/evenemang/{2**64}/anmal").status_code == 404
    site.clock.set(datetime(2026, 12, 8, 17, 30, tzinfo=UTC))  # 18:30 in Stockholm, the meeting began at 18:00
    closed = visitor.submit(f"/evenemang/{event_id}/anmal", {"name": "Sen", "email": "sen@example.se"})
    assert closed.status_code == 400 and "Evenemanget har redan börjat, så anmälan är stängd." in text_of(closed.text)
    assert _rows(site, event_id) == []
    plain = as_user(site, EDITOR).submit(
        "/evenemang/nytt",
        {
            "title": "Utan anmälan",
            "organisers": "pro-karlskoga",
            "start_date": "2026-12-20",
            "start_time": "10:00",
            "age_group": "all",
            "status": "scheduled",
            "is_free": "y",
        },
    )
    no_registration = int(plain.headers["location"].rsplit("/", 1)[-1])
    assert visitor.get(f"/evenemang/{no_registration}/anmal").status_code == 404


def test_personal_data_is_erased_after_the_event_and_the_report_still_counts(make_site, smtp_inbox, as_user):
    site = mail_site(make_site, smtp_inbox)
    event_id = event_with_places(as_user(site, EDITOR), places=10)
    visitor = as_user(site, None)
    for n in range(3):
        sign_up_confirmed(visitor, smtp_inbox, event_id, {"name": f"Person {n}", "email": f"p{n}@example.se"})
    (job,) = [j for j in registration_report.daily_jobs() if j.name == "evenemang-anmalningar-gallra"]
    # 8 Dec 20:00 + 30 days = 7 Jan 20:00 (Stockholm): not yet on the 7th in the morning, done on the 8th.
    assert job.run(site, datetime(2027, 1, 7, 8, 0, tzinfo=UTC)) == "Raderade namn och e-post i anmälningar: 0"
    assert job.run(site, datetime(2027, 1, 8, 3, 0, tzinfo=UTC)) == "Raderade namn och e-post i anmälningar: 3"
    assert job.run(site, datetime(2027, 1, 9, 3, 0, tzinfo=UTC)) == "Raderade namn och e-post i anmälningar: 0"
    rows = _rows(site, event_id)
    assert all(r.name == "" and r.email == "" and r.user_id is None and r.key == "" for r in rows)
    report = text_of(as_user(site, ADMIN).get("/-/admin/uppfoljning?fran=2026-12-01&till=2026-12-31").text)
    assert "Anmälda deltagare 3" in report
    assert "Anmälda deltagare 0" in text_of(
        as_user(site, ADMIN).get("/-/admin/uppfoljning?fran=2027-01-01&till=2027-01-31").text
    )


def test_the_database_refuses_an_overfilled_event(make_site, smtp_inbox, as_user):
    """The CHECK constraint is the last line of defence: even a raw update
    cannot take more places than there are."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    site = mail_site(make_site, smtp_inbox)
    event_id = event_with_places(as_user(site, EDITOR), places=2)
    with pytest.raises(IntegrityError), site.session() as db:
        db.execute(update(RegistrationSetup).where(RegistrationSetup.event_id == event_id).values(taken=3))
    with site.session() as db:
        assert db.execute(text("SELECT taken FROM evenemang_registration_setup")).scalar_one() == 0
    assert timedelta(0) == timedelta(0)
