"""The sign-up form tells nobody who is coming (think of an event at a
women's shelter): the answer is the same whether or not an address is
signed up, a sign-up by e-mail counts only when the link mailed to the
address is followed (double opt-in), unconfirmed sign-ups take no place and
expire, and one visitor can send only so many. A signed-in account's own
sign-up needs no mail. Real SMTP server, both databases."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from core.testing import text_of
from plugins.evenemang import registration_report
from plugins.evenemang.registration_models import RegState
from tests.evenemang.conftest import EDITOR, OTHER_EDITOR
from tests.evenemang.programme_helpers import (
    confirm_link,
    event_with_places,
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


def _job(name: str):
    (job,) = [j for j in registration_report.daily_jobs() if j.name == name]
    return job


def test_the_answer_is_the_same_whether_or_not_the_address_is_signed_up(make_site, smtp_inbox, as_user):
    site = mail_site(make_site, smtp_inbox)
    event_id = event_with_places(as_user(site, EDITOR), places=10)
    sign_up_confirmed(as_user(site, None), smtp_inbox, event_id, {"name": "Vera", "email": "vera@example.se"})
    wait_for_mail(smtp_inbox, 2)

    def answer(email: str) -> tuple[int, str, str]:
        prober = as_user(site, None)
        sent = prober.submit(f"/evenemang/{event_id}/anmal", {"name": "Nyfiken", "email": email})
        shown = text_of(prober.get(sent.headers["location"]).text).replace(email, "ADRESSEN")
        return sent.status_code, sent.headers["location"], shown

    assert answer("vera@example.se") == answer("okand@example.se") == answer("VERA@example.se")
    status, _where, shown = answer("nagon@example.se")
    assert status == 303 and "Vi har skickat ett mejl till ADRESSEN." in shown and "redan" not in shown
    wait_for_mail(smtp_inbox, 6)
    # Vera, not the prober, learns of it: a mail with her own cancellation link.
    told = [m for m in smtp_inbox.messages if m["Subject"] == "Du är redan anmäld: Månadsmöte"]
    assert [str(m["To"]).lower() for m in told] == ["vera@example.se"] * 2  # the two probes of her address
    assert "/evenemang/avboka/" in told[0].get_content()
    assert not mail_to(smtp_inbox, "nyfiken@example.se")
    assert [r.state for r in _rows(site, event_id)].count(RegState.CONFIRMED) == 1
    assert _taken(site, event_id) == 1


def test_unconfirmed_sign_ups_take_no_place_show_nowhere_and_expire(make_site, smtp_inbox, as_user):
    site = mail_site(make_site, smtp_inbox, settings="sign_ups_per_hour = 100\n")
    editor = as_user(site, EDITOR)
    event_id = event_with_places(editor, places=2)
    script = as_user(site, None)
    for n in range(8):  # someone types other people's addresses
        assert script.submit(f"/evenemang/{event_id}/anmal", {"name": f"Offer {n}", "email": f"o{n}@example.se"})
    assert "2 platser kvar av 2" in text_of(script.get(f"/evenemang/{event_id}").text)
    listing = text_of(editor.get(f"/evenemang/{event_id}/deltagare").text)
    assert "0 av 2 platser tagna" in listing and "o1@example.se" not in listing
    assert _taken(site, event_id) == 0

    # o0 confirms in time; the rest never do. After a day the links are dead and the daily job deletes them.
    path = confirm_link(smtp_inbox, "o0@example.se")
    assert as_user(site, None).submit(path, {}).status_code == 303
    late = confirm_link(smtp_inbox, "o1@example.se")
    site.clock.set(site.clock.now() + timedelta(hours=25))
    expired = as_user(site, None).get(late)
    assert expired.status_code == 404 and "Länken gäller inte längre" in text_of(expired.text)
    assert as_user(site, None).submit(late, {}).status_code == 404
    job = _job("evenemang-obekraftade-gallra")
    assert job.run(site, site.clock.now()) == "Tog bort obekräftade anmälningar: 7"
    assert job.run(site, site.clock.now()) == "Tog bort obekräftade anmälningar: 0"
    assert [(r.email, r.state) for r in _rows(site, event_id)] == [("o0@example.se", RegState.CONFIRMED)]


def test_confirming_when_the_places_are_gone_offers_the_waiting_list(make_site, smtp_inbox, as_user):
    site = mail_site(make_site, smtp_inbox)
    event_id = event_with_places(as_user(site, EDITOR), places=1)
    slow, quick = as_user(site, None), as_user(site, None)
    assert slow.submit(f"/evenemang/{event_id}/anmal", {"name": "Sakta", "email": "sakta@example.se"})
    slow_path = confirm_link(smtp_inbox, "sakta@example.se")
    assert sign_up_confirmed(quick, smtp_inbox, event_id, {"name": "Snabb", "email": "snabb@example.se"})
    full = slow.submit(slow_path, {})
    assert full.status_code == 400
    assert "Platserna tog slut precis innan du skickade. Vill du stå på väntelistan?" in text_of(full.text)
    assert 'name="vantelista" value="ja"' in full.text
    waiting = slow.submit(slow_path, {"vantelista": "ja"})
    assert waiting.status_code == 303
    assert "Du står på väntelistan, plats 1." in text_of(slow.get(waiting.headers["location"]).text)
    assert [r.state for r in _rows(site, event_id)] == [RegState.WAITING, RegState.CONFIRMED]


def test_one_visitor_may_send_only_so_many_sign_ups(make_site, smtp_inbox, as_user):
    site = mail_site(make_site, smtp_inbox, settings="sign_ups_per_hour = 3\n")
    event_id = event_with_places(as_user(site, EDITOR), places=50)
    script = as_user(site, None)
    for n in range(3):
        assert (
            script.submit(f"/evenemang/{event_id}/anmal", {"name": "A", "email": f"a{n}@example.se"}).status_code == 303
        )
    stopped = script.submit(f"/evenemang/{event_id}/anmal", {"name": "Sista", "email": "sista@example.se"})
    assert stopped.status_code == 429
    assert "Det har kommit många anmälningar härifrån på kort tid." in text_of(stopped.text)
    assert 'value="sista@example.se"' in stopped.text, "what was typed stays"
    assert len(_rows(site, event_id)) == 3
    site.clock.set(site.clock.now() + timedelta(minutes=61))
    assert (
        script.submit(f"/evenemang/{event_id}/anmal", {"name": "Sista", "email": "sista@example.se"}).status_code == 303
    )


def test_a_signed_in_account_signs_itself_up_at_once_but_others_by_mail(make_site, smtp_inbox, as_user):
    site = mail_site(make_site, smtp_inbox)
    event_id = event_with_places(as_user(site, EDITOR), places=5)
    olle = as_user(site, OTHER_EDITOR)
    assert olle.submit(f"/evenemang/{event_id}/anmal", {"name": "Olle", "email": OTHER_EDITOR}).status_code == 303
    twice = olle.submit(f"/evenemang/{event_id}/anmal", {"name": "Olle", "email": OTHER_EDITOR.upper()})
    assert twice.status_code == 400 and "Du är redan anmäld till evenemanget." in text_of(twice.text)
    friend = olle.submit(f"/evenemang/{event_id}/anmal", {"name": "Vän", "email": "van@example.se"})
    assert friend.status_code == 303
    assert [r.state for r in _rows(site, event_id)] == [RegState.CONFIRMED, RegState.PENDING]


def test_two_sign_ups_of_one_address_confirmed_both_count_once(make_site, smtp_inbox, as_user):
    site = mail_site(make_site, smtp_inbox)
    event_id = event_with_places(as_user(site, EDITOR), places=5)
    visitor = as_user(site, None)
    for email in ("vera@example.se", "Vera@Example.se"):
        assert visitor.submit(f"/evenemang/{event_id}/anmal", {"name": "Vera", "email": email}).status_code == 303
    first, second = confirm_link(smtp_inbox, "vera@example.se"), confirm_link(smtp_inbox, "Vera@Example.se")
    assert first != second
    assert visitor.submit(first, {}).status_code == 303
    again = visitor.submit(second, {})
    assert again.status_code == 303
    assert "Anmälan är redan bekräftad." in text_of(visitor.get(again.headers["location"]).text)
    assert [r.state for r in _rows(site, event_id)] == [RegState.CONFIRMED] and _taken(site, event_id) == 1


def test_a_confirmation_link_after_a_cancellation_says_so_and_confirms_nothing(make_site, smtp_inbox, as_user):
    """Found in a new-user trial: the old confirmation link of a cancelled
    sign-up said "Anmälan är redan bekräftad"."""
    site = mail_site(make_site, smtp_inbox)
    event_id = event_with_places(as_user(site, EDITOR), places=5)
    visitor = as_user(site, None)
    assert (
        visitor.submit(f"/evenemang/{event_id}/anmal", {"name": "Vera", "email": "vera@example.se"}).status_code == 303
    )
    confirm = confirm_link(smtp_inbox, "vera@example.se")
    assert visitor.submit(confirm, {}).status_code == 303
    with site.session() as db:
        from plugins.evenemang.registration_models import Registration

        registration = db.exec(select(Registration).where(Registration.event_id == event_id)).one()
    from plugins.evenemang import registration_store

    assert registration.id is not None and registration_store.cancel(site, registration.id)
    page = text_of(visitor.get(confirm).text)
    assert "Anmälan är avbokad" in page and "redan bekräftad" not in page
    again = visitor.submit(confirm, {})
    assert again.status_code == 200 and "Anmälan är avbokad" in text_of(again.text)
    assert [r.state for r in _rows(site, event_id)] == [RegState.CANCELLED] and _taken(site, event_id) == 0


def test_the_sign_up_limit_is_shared_by_every_worker(make_site, smtp_inbox, as_user):
    """Two workers (two Site objects on one database, as uvicorn's workers
    are) count the same hour: the limit is counted in the database, and the
    visitor's address is kept only as a keyed hash."""
    from sqlmodel import select

    from core.models import RateLimitHit
    from core.site import Site

    site = mail_site(make_site, smtp_inbox, settings="sign_ups_per_hour = 3\n")
    event_id = event_with_places(as_user(site, EDITOR), places=50)
    other = Site(site.folder, site.config, site.installed, database_url=site.database_url, data_dir=site.data_dir)
    other.clock.set(site.clock.now())
    first, second = as_user(site, None), as_user(other, None)
    path = f"/evenemang/{event_id}/anmal"
    assert first.submit(path, {"name": "A", "email": "a1@example.se"}).status_code == 303
    assert second.submit(path, {"name": "B", "email": "b1@example.se"}).status_code == 303
    assert first.submit(path, {"name": "A", "email": "a2@example.se"}).status_code == 303
    assert second.submit(path, {"name": "B", "email": "b2@example.se"}).status_code == 429
    with site.session() as db:
        clients = {row.key for row in db.exec(select(RateLimitHit)).all()}
    assert len(clients) == 1 and "127.0.0.1" not in next(iter(clients))
