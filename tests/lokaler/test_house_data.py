"""Offices at Föreningsbyrån (vacancies, the interest form, the staff's
list), the house's figures in the follow-up report and on the statistics
page (an SVG chart with a table), and personal data: the booker's own copy,
forgetting an account, and the daily job that erases old contact details."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import select

from core.testing import text_of
from plugins.lokaler import demo
from plugins.lokaler.models import Booking, BookingStatus, Office, OfficeInterest
from tests.lokaler.conftest import ADMIN, EDITOR, booking_form


def test_vacancies_and_interest(lok_site, as_user):
    with lok_site.session() as db:
        demo._offices(db, [], date(2027, 3, 3))
        db.add(Office(name="Kontor 9", tenant_name="PRO Karlskoga", period_end=date(2027, 12, 31)))
        db.commit()
    visitor = as_user(lok_site, None)
    page = text_of(visitor.get("/lokaler/kontor").text)
    assert "Skrivbordsplats B" in page and "Kontor 9" not in page
    refused = visitor.submit("/lokaler/kontor/intresse", {"organisation": "Nya föreningen", "name": "Nina"})
    assert refused.status_code == 400
    assert "Skriv en e-postadress" in text_of(refused.text) and "Kryssa i rutan" in text_of(refused.text)
    sent = visitor.submit(
        "/lokaler/kontor/intresse",
        {"organisation": "Nya föreningen", "name": "Nina Ny", "email": "nina@ny.example", "consent": "y"},
    )
    assert sent.status_code == 303
    staff = text_of(as_user(lok_site, ADMIN).get("/lokaler/kontor/alla").text)
    assert "Nya föreningen" in staff and "nina@ny.example" in staff and "PRO Karlskoga" in staff


def test_figures_in_the_report_and_the_chart(lok_site, rooms, as_user):
    editor = as_user(lok_site, EDITOR)
    room = rooms["Mötesrum Ekan"]
    assert editor.submit(f"/lokaler/{room}/boka", booking_form()).status_code == 303
    assert (
        editor.submit(
            f"/lokaler/{room}/boka",
            booking_form(repeat="weekly", until="2027-03-23", day="2027-03-10", action="boka_lediga"),
        ).status_code
        == 303
    )
    admin = as_user(lok_site, ADMIN)
    report = text_of(admin.get("/-/admin/uppfoljning?fran=2027-03-01&till=2027-03-31").text)
    assert "Föreningar som använt Föreningarnas hus" in report
    assert "Bokade timmar: Mötesrum Ekan" in report
    stats = admin.get("/lokaler/statistik?fran=2027-03-01&till=2027-03-31")
    assert "<svg" in stats.text and '<title id="timmar-titel">' in stats.text
    shown = text_of(stats.text)
    assert "Mötesrum Ekan" in shown and "PRO Karlskoga" in shown
    # One single booking (2 h) and one series of two Wednesdays (2 x 2 h): 6 hours.
    from plugins.lokaler import stats as house_stats

    with lok_site.session() as db:
        found = house_stats.compute(lok_site, db, date(2027, 3, 1), date(2027, 3, 31))
    assert found.hours_by_resource == {"Mötesrum Ekan": 6.0}
    assert (found.series, found.single, found.associations) == (1, 1, 1)
    assert 0 < found.occupancy["Mötesrum Ekan"] < 5


def test_own_data_forget_and_the_daily_job(lok_site, rooms, as_user):
    from core.api import User
    from plugins.lokaler import personal

    editor = as_user(lok_site, EDITOR)
    room = rooms["Mötesrum Ekan"]
    editor.submit(f"/lokaler/{room}/boka", booking_form(contact_email=EDITOR))
    editor.submit(
        f"/lokaler/{room}/boka", booking_form(booker="organisation", organisation="Grannar", day="2027-03-10")
    )
    with lok_site.session() as db:
        user = db.exec(select(User).where(User.email == EDITOR)).one()
        mine = personal.own_data(lok_site, db, user)
    assert len(mine["bokningar"]) == 2 and mine["bokningar"][0]["e_post"] == EDITOR

    # The daily job: the organisation's contact details go 90 days after its booking; the member's stay.
    assert "0" in personal.erase_old_contacts(lok_site, datetime(2027, 4, 1, tzinfo=UTC))
    line = personal.erase_old_contacts(lok_site, datetime(2027, 7, 1, tzinfo=UTC))
    assert line.startswith("Raderade kontaktuppgifter i bokningar: 1")
    with lok_site.session() as db:
        rows = {b.booker_kind: b for b in db.exec(select(Booking)).all()}
    assert rows["organisation"].contact_email == "" and rows["organisation"].organisation == ""
    assert rows["member"].contact_email == EDITOR
    assert "Raderade kontaktuppgifter i bokningar: 0" in personal.erase_old_contacts(
        lok_site, datetime(2027, 7, 2, tzinfo=UTC)
    )

    # Forgetting the account takes its contact details off the association's booking; the booking stays.
    with lok_site.session() as db:
        user = db.exec(select(User).where(User.email == EDITOR)).one()
        db.add(OfficeInterest(organisation="PRO", name="Rita", email=EDITOR))
        db.commit()
        personal.forget_user(db, user)
        db.commit()
        member = db.exec(select(Booking).where(Booking.booker_kind == "member")).one()
        assert member.contact_email == "" and member.created_by_id is None
        assert member.status == BookingStatus.CONFIRMED
        assert db.exec(select(OfficeInterest)).all() == []


def test_staff_describe_a_room_and_its_hours(lok_site, rooms, as_user):
    from tests.lokaler.test_permissions import resource_form

    admin = as_user(lok_site, ADMIN)
    wrong = admin.submit("/lokaler/ny", resource_form(hours_2="22-08", min_minutes="300", max_minutes="60"))
    assert wrong.status_code == 400
    shown = text_of(wrong.text)
    assert "Skriv öppettiden som 08:00–22:00" in shown and "Längsta bokning kan inte vara kortare" in shown
    assert 'value="Lilla salen"' in wrong.text
    saved = admin.submit("/lokaler/ny", resource_form(hours_5="10.00–16.00"))
    assert saved.status_code == 303
    page = text_of(admin.get(saved.headers["location"]).text)
    assert "måndag: 08:00–22:00" in page and "lördag: 10:00–16:00" in page and "onsdag: stängt" in page
    # Taken out of booking: gone from the list, its bookings kept.
    ekan = rooms["Mötesrum Ekan"]
    as_user(lok_site, EDITOR).submit(f"/lokaler/{ekan}/boka", booking_form())
    assert admin.submit(f"/lokaler/{ekan}/ta-bort", {}).status_code == 303
    assert "Mötesrum Ekan" not in text_of(as_user(lok_site, None).get("/lokaler/").text)
    assert as_user(lok_site, None).get(f"/lokaler/{ekan}").status_code == 404
    with lok_site.session() as db:
        assert len(db.exec(select(Booking)).all()) == 1
    gone = as_user(lok_site, EDITOR).submit(f"/lokaler/{ekan}/boka", booking_form(day="2027-03-10"))
    assert gone.status_code == 409 and "togs bort medan du fyllde i formuläret" in text_of(gone.text)


def test_demo_house_loads_twice_with_identical_rows(make_site):
    from core.api import member_associations
    from plugins.lokaler import demo as house
    from plugins.lokaler.models import Resource
    from plugins.webportal import demo as portal
    from tests.lokaler.conftest import make_lok_site

    site = make_lok_site(make_site)
    with site.session() as db:
        portal.load(site, db)
        db.commit()

    def counts() -> tuple[int, int, int, int]:
        with site.session() as db:
            return (
                len(db.exec(select(Resource)).all()),
                len(db.exec(select(Booking)).all()),
                len(db.exec(select(Office)).all()),
                len({b.association_slug for b in db.exec(select(Booking)).all() if b.series_id}),
            )

    for _ in range(2):
        with site.session() as db:
            house.load(site, db)
    first = counts()
    with site.session() as db:
        house.load(site, db)
        associations = len(member_associations(site, db))
    assert counts() == first
    resources, bookings, offices, series_associations = first
    assert resources == 8 and offices == 5
    assert series_associations == min(12, associations) and bookings > 12 * 10
