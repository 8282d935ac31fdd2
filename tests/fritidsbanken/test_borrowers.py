"""Borrowers: registration at the counter and online, signing in on a phone
with a texted code (and what stops guessing), finding people fast, and the
deletion of personal data after 24 months without a loan."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from plugins.fritidsbanken import borrowers, phone_login, stats
from plugins.fritidsbanken.models import AccessCode, Borrower, Loan, Message
from plugins.fritidsbanken.reminders import run_daily
from tests.conftest import text_of
from tests.fritidsbanken.conftest import add_borrower, add_item
from tests.fritidsbanken.conftest import phone_login as sign_in_phone


def test_counter_registration_explains_what_is_missing(world, fb_site, make_client):
    counter = make_client(fb_site)
    counter.login(world.staff.email)
    child = counter.submit("/fritidsbanken/disk/lantagare/ny", {"name": "Liten Person", "birth_year": "2017"})
    assert child.status_code == 400
    body = text_of(child.text)
    assert "Skriv målsmans namn: låntagaren är under 18." in body
    assert "Skriv målsmans mobilnummer: låntagaren är under 18." in body
    assert 'href="#guardian_name"' in child.text  # the summary links to the field
    adult = counter.submit(
        "/fritidsbanken/disk/lantagare/ny", {"name": "Stor Person", "birth_year": "1970", "mobile": "12"}
    )
    assert "Skriv mobilnumret med siffror, till exempel 070-123 45 67." in text_of(adult.text)
    landline = counter.submit(
        "/fritidsbanken/disk/lantagare/ny", {"name": "Stor Person", "birth_year": "1970", "mobile": "0586-123456"}
    )
    assert "Svenska mobilnummer börjar med 07" in text_of(landline.text)
    ok = counter.submit(
        "/fritidsbanken/disk/lantagare/ny",
        {
            "name": "Liten Person",
            "birth_year": "2017",
            "guardian_name": "Stor Person",
            "guardian_mobile": "070 174 06 41",
            "guardian_consent": "y",
        },
    )
    assert ok.status_code == 303
    with fb_site.session() as db:
        saved = db.exec(select(Borrower).where(Borrower.name == "Liten Person")).one()
    assert saved.guardian_mobile == "+46701740641" and saved.guardian_consent and saved.consent_recorded_at


def test_find_by_number_last_digits_or_name(world, fb_site, make_client):
    add_borrower(fb_site, "Maja Nilsson", "+46701740651", birth_year=1990)
    add_borrower(fb_site, "Maja Berg", "+46701740652", birth_year=1991)
    add_borrower(fb_site, "Åsa Öberg", "+46701740654", birth_year=1992)
    add_borrower(fb_site, "Hugo Ali", "", birth_year=2015, guardian_name="Fatima Ali", guardian_mobile="+46701740653")
    with fb_site.session() as db:
        assert [b.name for b in borrowers.find(db, "070-174 06 53")] == ["Hugo Ali"]  # via the guardian
        assert [b.name for b in borrowers.find(db, "0651")] == ["Maja Nilsson"]
        assert [b.name for b in borrowers.find(db, "maja")] == ["Maja Berg", "Maja Nilsson"]
        assert [b.name for b in borrowers.find(db, "åsa öberg")] == ["Åsa Öberg"]
        assert [b.name for b in borrowers.find(db, "ÖBERG")] == ["Åsa Öberg"]
    counter = make_client(fb_site)
    counter.login(world.staff.email)
    listing = text_of(counter.get("/fritidsbanken/disk", params={"q": "Maja"}).text)
    assert "Maja Berg" in listing and "Maja Nilsson" in listing
    none = text_of(counter.get("/fritidsbanken/disk", params={"q": "0701740699"}).text)
    assert "Ingen låntagare hittades. Registrera en ny låntagare" in none


def test_online_registration_of_a_child_by_the_guardian(world, fb_site, make_client, sent):
    phone = make_client(fb_site)
    phone.submit("/fritidsbanken/mina-lan/kod", {"mobile": "070-174 06 60"})
    code = sent.code_for("+46701740660")
    verified = phone.submit("/fritidsbanken/mina-lan/verifiera", {"mobile": "+46701740660", "code": code})
    assert verified.headers["location"] == "/fritidsbanken/registrera"  # a new number: register first

    too_old = phone.submit(
        "/fritidsbanken/registrera",
        {"who": "child", "name": "Sara Stor", "birth_year": "1990", "guardian_name": "Eva Stor", "privacy": "y"},
    )
    assert "Barnet ska vara under 18 år." in text_of(too_old.text)
    no_privacy = phone.submit("/fritidsbanken/registrera", {"who": "child", "name": "Saga Liten", "birth_year": "2018"})
    body = text_of(no_privacy.text)
    assert "Kryssa i rutan när du har läst hur uppgifterna sparas." in body
    assert "Skriv målsmans namn" in body
    done = phone.submit(
        "/fritidsbanken/registrera",
        {
            "who": "child",
            "name": "Saga Liten",
            "birth_year": "2018",
            "guardian_name": "Eva Liten",
            "guardian_consent": "y",
            "privacy": "y",
        },
    )
    assert done.status_code == 303
    mine = text_of(phone.get("/fritidsbanken/mina-lan").text)
    assert "Saga Liten" in mine and "raderas automatiskt" in mine
    with fb_site.session() as db:
        saga = db.exec(select(Borrower).where(Borrower.name == "Saga Liten")).one()
    assert saga.guardian_mobile == "+46701740660" and saga.mobile == "" and saga.registered_online


def test_codes_are_single_use_short_lived_and_limited(world, fb_site, make_client, sent, fake_clock):
    add_borrower(fb_site, "Vera Vuxen", "+46701740612", birth_year=1980)
    phone = make_client(fb_site)
    phone.submit("/fritidsbanken/mina-lan/kod", {"mobile": "0701740612"})
    code = sent.code_for("+46701740612")
    with fb_site.session() as db:
        stored = db.exec(select(AccessCode)).one()
        logged = db.exec(select(Message).where(Message.kind == "code")).one()
    assert code not in stored.code_hash and code not in logged.body  # only a keyed hash is kept

    # Five wrong guesses spend the code: the right one no longer works.
    for guess in ("000000", "111111", "222222", "333333", "444444"):
        wrong = phone.submit("/fritidsbanken/mina-lan/verifiera", {"mobile": "+46701740612", "code": guess})
        assert wrong.status_code == 400 and "Koden stämmer inte" in text_of(wrong.text)
    late = phone.submit("/fritidsbanken/mina-lan/verifiera", {"mobile": "+46701740612", "code": code})
    assert late.status_code == 400

    # A fresh code works once, and not after 15 minutes.
    phone.submit("/fritidsbanken/mina-lan/kod", {"mobile": "0701740612"})
    fake_clock.advance(timedelta(minutes=16))
    stale = phone.submit(
        "/fritidsbanken/mina-lan/verifiera", {"mobile": "+46701740612", "code": sent.code_for("+46701740612")}
    )
    assert stale.status_code == 400

    # At most three codes an hour to one number; the page says the same either way.
    before = len(sent.to("+46701740612"))
    answer = phone.submit("/fritidsbanken/mina-lan/kod", {"mobile": "0701740612"}, follow_redirects=True)
    phone.submit("/fritidsbanken/mina-lan/kod", {"mobile": "0701740612"})
    assert len(sent.to("+46701740612")) == before + 1
    assert "Om numret 070-174 06 12 finns hos oss eller är nytt har vi skickat en kod" in text_of(answer.text)


def test_a_forged_or_old_link_does_not_sign_in(world, fb_site, make_client):
    add_borrower(fb_site, "Vera Vuxen", "+46701740612", birth_year=1980)
    phone = make_client(fb_site)
    forged = phone_login.link_token(fb_site, "+46701740612")[:-3] + "abc"
    page = phone.get(f"/fritidsbanken/mina-lan/lank/{forged}")
    assert "Länken är för gammal eller felaktig." in text_of(page.text)
    assert "Vera Vuxen" not in text_of(page.text)
    good = phone.get(f"/fritidsbanken/mina-lan/lank/{phone_login.link_token(fb_site, '+46701740612')}")
    assert "Vera Vuxen" in text_of(good.text)


def test_a_guardian_sees_every_child_and_only_them(world, fb_site, make_client, sent):
    add_borrower(fb_site, "Ett Barn", "", birth_year=2015, guardian_name="F", guardian_mobile="+46701740670")
    add_borrower(
        fb_site, "Två Barn", "+46701740671", birth_year=2012, guardian_name="F", guardian_mobile="+46701740670"
    )
    add_borrower(fb_site, "Annans Barn", "", birth_year=2014, guardian_name="G", guardian_mobile="+46701740672")
    phone = make_client(fb_site)
    sign_in_phone(phone, sent, "0701740670", "+46701740670")
    mine = text_of(phone.get("/fritidsbanken/mina-lan").text)
    assert "Ett Barn" in mine and "Två Barn" in mine and "Annans Barn" not in mine
    phone.submit("/fritidsbanken/mina-lan/logga-ut")
    assert "Skicka kod" in text_of(phone.get("/fritidsbanken/mina-lan").text)


def test_personal_data_is_deleted_after_24_months_without_a_loan(world, fb_site, make_client, fake_clock):
    add_item(fb_site, "5001", branch_id=world.branch)
    old = add_borrower(fb_site, "Gammal Låntagare", "+46701740681", birth_year=1960)
    recent = add_borrower(fb_site, "Färsk Låntagare", "+46701740682", birth_year=1961)
    counter = make_client(fb_site)
    counter.login(world.staff.email)
    counter.submit(f"/fritidsbanken/disk/lantagare/{old.id}/lana", {"numbers": "5001"}, follow_redirects=True)
    fake_clock.advance(timedelta(days=10))
    counter.submit("/fritidsbanken/disk/aterlamna", {"numbers": "5001"}, follow_redirects=True)
    page = text_of(counter.get(f"/fritidsbanken/disk/lantagare/{old.id}").text)
    assert "raderas automatiskt 12 mars 2028" in page  # 24 months after the return on 12 March 2026

    fake_clock.set(datetime(2027, 6, 1, 12, tzinfo=UTC))
    with fb_site.session() as db:
        db.get(Borrower, recent.id).last_active_at = fake_clock.now()  # borrowed something lately
        db.commit()
    fake_clock.set(datetime(2028, 3, 13, 12, tzinfo=UTC))
    report = run_daily(fb_site)
    assert report.deleted_borrowers == 1
    with fb_site.session() as db:
        assert db.get(Borrower, old.id) is None
        assert db.get(Borrower, recent.id) is not None
        loan = db.exec(select(Loan)).one()
        assert loan.borrower_id is None and loan.borrower_tag  # the loan stays, anonymous
        year = stats.compute(db, fb_site, datetime(2026, 1, 1).date(), datetime(2026, 12, 31).date())
    assert year.loans == 1 and year.unique_borrowers == 1
    counter.login(world.staff.email)  # 21 months on: the sign-in from before has expired
    assert counter.get(f"/fritidsbanken/disk/lantagare/{old.id}").status_code == 404


def test_staff_delete_a_borrower_on_request(world, fb_site, make_client):
    person = add_borrower(fb_site, "Vill Bort", "+46701740690", birth_year=1980)
    counter = make_client(fb_site)
    counter.login(world.staff.email)
    kept = counter.submit(f"/fritidsbanken/disk/lantagare/{person.id}/ta-bort", {}, follow_redirects=True)
    assert "Kryssa i rutan för att bekräfta" in text_of(kept.text)
    gone = counter.submit(
        f"/fritidsbanken/disk/lantagare/{person.id}/ta-bort", {"bekrafta": "ja"}, follow_redirects=True
    )
    assert "Uppgifterna om Vill Bort är raderade." in text_of(gone.text)
    with fb_site.session() as db:
        assert db.get(Borrower, person.id) is None


def test_months_before_and_deletion_day():
    moment = datetime(2026, 3, 31, 12, tzinfo=UTC)
    assert borrowers.months_before(moment, 24) == datetime(2024, 3, 28, 12, tzinfo=UTC)
    assert borrowers.months_before(moment, 3) == datetime(2025, 12, 28, 12, tzinfo=UTC)
    assert moment - borrowers.months_before(moment, 24) > timedelta(days=365 * 2)


def test_one_client_cannot_text_strangers_in_bulk(world, fb_site, make_client, sent):
    phone = make_client(fb_site)
    numbers = [f"+467017406{n:02d}" for n in range(10, 21)]
    for number in numbers:
        page = phone.submit("/fritidsbanken/mina-lan/kod", {"mobile": number}, follow_redirects=True)
        assert page.status_code == 200 and "har vi skickat en kod" in text_of(page.text)
    texted = [n for n in numbers if sent.to(n)]
    assert texted == numbers[: phone_login.MAX_CODES_PER_CLIENT_HOUR]
