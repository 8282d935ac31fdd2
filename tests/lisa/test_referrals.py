"""Referrals, minimal and lawful: from a health-centre user to an
organisation and back with status; consent recorded; every read logged;
deleted after the retention period (with a clock the test controls); never in
feeds, search, exports, the API or logs."""

from __future__ import annotations

import logging
import re
import threading
from datetime import UTC, timedelta

from sqlmodel import select

from core import daily
from core.models import DailyRun, Role
from federation.kinds import kinds_for
from federation.publish import feed_path
from plugins.lisa.models import Referral, ReferralAccess, Service
from tests.conftest import PASSWORD, add_user, text_of
from tests.lisa.conftest import ADMIN, NURSE, VOLUNTEER, local

NAME = "Zelmira"  # a first name that appears nowhere else
NEED = "Känner sig ensam sedan flytten, vill träffa folk på dagtid."


def service_id(site, name: str) -> int:
    with site.session() as db:
        return db.exec(select(Service).where(Service.name == name)).one().id


def send(client, site, service: str = "Träffpunkt för gemenskap", **overrides):
    sid = service_id(site, service)
    form = client.get(f"/hjalp/tjanst/{sid}/remiss")
    assert form.status_code == 200, form.text[:300]
    sender = re.search(r'<option value="(vc:\d+)"', form.text).group(1)
    data = {
        "sender": sender,
        "person_name": NAME,
        "contact": "070-123 45 67, helst förmiddag",
        "need": NEED,
        "consent_by": "personen",
        "consent": "y",
        **overrides,
    }
    return client.submit(f"/hjalp/tjanst/{sid}/remiss", data)


def referral_row(site) -> Referral | None:
    with site.session() as db:
        return db.exec(select(Referral)).first()


def accesses(site) -> list[str]:
    with site.session() as db:
        return [a.action for a in db.exec(select(ReferralAccess).order_by(ReferralAccess.id)).all()]


def test_referral_goes_to_the_organisation_and_back_with_status(lisa_site, login, set_clock, caplog):
    caplog.set_level(logging.DEBUG)
    set_clock(local(2026, 11, 24, 9, 15))
    nurse = login(lisa_site, NURSE)
    sid = service_id(lisa_site, "Träffpunkt för gemenskap")
    page = text_of(nurse.get(f"/hjalp/tjanst/{sid}").text)
    assert "Skicka remiss" in page

    sent = send(nurse, lisa_site)
    assert sent.status_code == 303
    referral = referral_row(lisa_site)
    assert referral is not None and referral.status == "sent"
    # consent recorded: who, when, to what
    assert referral.consent_by == "Personen själv"
    assert referral.consent_at.astimezone(local(2026, 1, 1).tzinfo).strftime("%Y-%m-%d %H:%M") == "2026-11-24 09:15"
    assert "Vårdcentralen Bofors" in referral.consent_scope and "Röda Korset" in referral.consent_scope
    assert "90 dagar" in referral.consent_scope
    assert referral.delete_after - referral.created_at == timedelta(days=90)

    # the organisation sees it in its list, without personal data
    volunteer = login(lisa_site, VOLUNTEER)
    listing = volunteer.get("/hjalp/remisser")
    assert "Träffpunkt för gemenskap" in listing.text and "Vårdcentralen Bofors" in listing.text
    assert NAME not in listing.text and "070-123" not in listing.text
    assert accesses(lisa_site) == ["created"]
    # opening it shows the referral and logs the read
    opened = volunteer.get(f"/hjalp/remisser/{referral.id}")
    assert NAME in opened.text and NEED in text_of(opened.text)
    assert accesses(lisa_site) == ["created", "read"]
    # and it answers
    answered = volunteer.submit(f"/hjalp/remisser/{referral.id}/status", {"status": "accepted"})
    assert answered.status_code == 303
    # the nurse sees the status
    assert "Antagen" in text_of(nurse.get("/hjalp/remisser").text)
    volunteer.submit(f"/hjalp/remisser/{referral.id}/status", {"status": "completed"})
    nurse_view = text_of(nurse.get(f"/hjalp/remisser/{referral.id}").text)
    assert "Status: Avslutad" in nurse_view
    assert "Olle Volontär – läste" in nurse_view  # the log is visible to the parties
    assert accesses(lisa_site) == ["created", "read", "status:accepted", "status:completed", "read"]
    # nothing about the person was logged
    assert NAME not in caplog.text and "070-123" not in caplog.text and "ensam sedan flytten" not in caplog.text


def test_referral_is_deleted_when_its_retention_period_ends(lisa_site, login, set_clock):
    start = local(2026, 3, 2, 10, 0).astimezone(UTC)  # UTC arithmetic: the period spans the switch to summer time
    set_clock(start)
    nurse = login(lisa_site, NURSE)
    send(nurse, lisa_site)
    referral = referral_row(lisa_site)
    set_clock(start + timedelta(days=89, hours=23))
    nurse = login(lisa_site, NURSE)  # a sign-in lasts 14 days from its last use (core.sessions)
    assert nurse.get(f"/hjalp/remisser/{referral.id}").status_code == 200
    set_clock(start + timedelta(days=90, minutes=1))
    nurse = login(lisa_site, NURSE)
    assert nurse.get(f"/hjalp/remisser/{referral.id}").status_code == 404
    assert referral_row(lisa_site) is None
    assert accesses(lisa_site)[-1] == "deleted"  # the log outlives the referral, without its content


def test_retention_period_comes_from_site_toml_and_the_purge_command(make_site, login, set_clock, tmp_path):
    from click.testing import CliRunner

    from core import cli as cli_module
    from core.demo import load_demo

    data_dir = tmp_path / "kort"
    data_dir.mkdir()
    site = make_site(
        slug="lisa",
        plugins=["lisa"],
        plugin_settings={"lisa": "referral_retention_days = 14\n"},
        extra=f'data_dir = "{data_dir}"',
        url=f"sqlite:///{data_dir}/lisa.db",
    )
    load_demo(site, echo=lambda _m: None)
    set_clock(local(2026, 5, 4, 8, 0))
    nurse = login(site, NURSE)
    form = nurse.get(f"/hjalp/tjanst/{service_id(site, 'Träffpunkt för gemenskap')}/remiss")
    assert "raderas automatiskt efter 14 dagar" in text_of(form.text)
    send(nurse, site)
    assert referral_row(site).delete_after == referral_row(site).created_at + timedelta(days=14)
    cli_module._register_plugin_commands()
    result = CliRunner().invoke(cli_module.cli, ["lisa-purge", "--site", str(site.folder), "--today", "2026-05-17"])
    assert result.exit_code == 0 and "0 remisser raderade" in result.output
    result = CliRunner().invoke(cli_module.cli, ["lisa-purge", "--site", str(site.folder), "--today", "2026-05-18"])
    assert result.exit_code == 0 and "1 remisser raderade" in result.output
    assert referral_row(site) is None


def test_referral_data_never_reaches_search_feeds_exports_or_the_api(lisa_site, login):
    nurse = login(lisa_site, NURSE)
    send(nurse, lisa_site)
    anyone = login(lisa_site, None)
    # Searching for words of the referral finds nothing of it (the query itself is echoed in the search box).
    for query in (NAME, "flytten"):
        site_search = text_of(anyone.get("/sok", params={"q": query}).text)
        assert "ensam sedan" not in site_search and "070-123" not in site_search
        assert "Ingen hjälp hittades" in anyone.get("/hjalp/", params={"q": query}).text
    places = [
        anyone.get("/hjalp/export/hsds.json").text,
        anyone.get("/hjalp/api/services", params={"full": "true", "per_page": 100}).text,
        anyone.get("/hjalp/api/services", params={"search": NAME}).text,
    ]
    kinds = kinds_for(lisa_site)
    assert "help" in kinds  # LISA's own federated kind is among them
    for kind in kinds:
        for fmt in ("atom", "rss"):
            response = anyone.get(feed_path(kind, fmt))
            assert response.status_code == 200, (kind, fmt)
            places.append(response.text)
    for text in places:
        assert NAME not in text and "070-123" not in text and "flytten" not in text
    assert NAME.encode() not in anyone.get("/hjalp/export/hsds-csv.zip").content
    assert anyone.get("/hjalp/api/services", params={"search": NAME}).json()["total_items"] == 0


def test_personal_identity_numbers_and_missing_consent_are_refused(lisa_site, login):
    nurse = login(lisa_site, NURSE)
    no_consent = send(nurse, lisa_site, consent="")
    assert no_consent.status_code == 400
    assert "Utan samtycke kan remissen inte skickas" in text_of(no_consent.text)
    pnr = send(nurse, lisa_site, need="Personnummer 19800101-1234, behöver stöd")
    assert pnr.status_code == 400 and "Ta bort personnumret" in text_of(pnr.text)
    assert referral_row(lisa_site) is None


def test_only_the_parties_read_a_referral(lisa_site, login):
    nurse = login(lisa_site, NURSE)
    send(nurse, lisa_site)
    referral = referral_row(lisa_site)
    add_user(lisa_site, "annan@lisa.example", Role.EDITOR, "Anna Annan")
    other = login(lisa_site, None)
    other.login("annan@lisa.example", PASSWORD)
    assert other.get(f"/hjalp/remisser/{referral.id}").status_code == 403
    assert other.get("/hjalp/remisser").status_code == 403
    admin = login(lisa_site, ADMIN)  # running the site does not make you a party
    assert admin.get(f"/hjalp/remisser/{referral.id}").status_code == 403
    assert other.submit(f"/hjalp/remisser/{referral.id}/status", {"status": "declined"}).status_code == 403
    nurse_answer = nurse.submit(f"/hjalp/remisser/{referral.id}/status", {"status": "accepted"})
    assert nurse_answer.status_code == 403  # the sender cannot answer its own referral
    assert referral_row(lisa_site).status == "sent"
    assert accesses(lisa_site) == ["created"]


def test_services_that_do_not_take_referrals_say_so(lisa_site, login):
    nurse = login(lisa_site, NURSE)
    sid = service_id(lisa_site, "Kupan second hand och klädbank")
    assert "Skicka remiss" not in nurse.get(f"/hjalp/tjanst/{sid}").text
    assert nurse.get(f"/hjalp/tjanst/{sid}/remiss").status_code == 403
    assert not lisa_site.clock.is_fixed  # the clock is real here


def test_the_daily_job_deletes_an_expired_referral_once_with_workers_racing(lisa_site, login, set_clock):
    """Four workers check at the same moment, 90 days after a referral was
    sent: LISA's job runs once, in one of them, and deletes the referral."""
    sent = local(2026, 3, 2, 10, 0)
    set_clock(sent)
    send(login(lisa_site, NURSE), lisa_site)
    assert referral_row(lisa_site) is not None
    later = sent + timedelta(days=90, hours=1)
    set_clock(later)
    made: list[list[DailyRun]] = []
    start = threading.Barrier(4)

    def worker() -> None:
        start.wait()
        made.append(daily.run_due(lisa_site, later.astimezone(UTC)))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    runs = [run for found in made for run in found if run.job.startswith("lisa")]  # core has jobs too
    assert [(r.job, r.ok, r.summary) for r in runs] == [("lisa-remisser", True, "Raderade remisser: 1")]
    assert referral_row(lisa_site) is None
    with lisa_site.session() as db:
        rows = [(r.job, r.day) for r in db.exec(select(DailyRun)).all() if r.job.startswith("lisa")]
        assert rows == [("lisa-remisser", later.date())]


def test_the_receiving_organisation_is_told_without_health_data(lisa_site, login, set_clock):
    """Issue 20: a referral received is a notice to the receiving
    organisation's people, with a link that needs a login and nothing of
    the person: no name, no contact, no need, not even the service."""
    from core.models import OutboxMessage

    set_clock(local(2026, 11, 24, 9, 15))
    nurse = login(lisa_site, NURSE)
    assert send(nurse, lisa_site).status_code == 303
    referral = referral_row(lisa_site)
    assert referral is not None
    with lisa_site.session() as db:
        notices = db.exec(select(OutboxMessage).where(OutboxMessage.origin == "lisa")).all()
    assert notices, "the receiving organisation's people are told"
    for notice in notices:
        text = notice.subject + "\n" + notice.body
        assert f"/remisser/{referral.id}" in notice.body and "/aviseringar/" in notice.body
        for secret in (NAME, NEED, "070-123 45 67", "Träffpunkt för gemenskap"):
            assert secret not in text
        assert notice.subject == "Ny remiss till Röda Korset Karlskoga-Degerfors"
