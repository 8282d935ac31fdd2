"""Holidays and special hours in "Öppet nu": on juldagen or midsommarafton
a nurse must not be told a service is open when it is closed. The clock is
set to real Swedish dates; the holidays come from the ``holidays`` package,
so these dates also check that it is asked the right question (public
holidays plus the eves, never every Sunday)."""

from __future__ import annotations

import re
from datetime import date, time

from sqlmodel import select

from plugins.lisa import directory
from plugins.lisa.hsds.validate import errors
from plugins.lisa.models import Organisation, Schedule, Service, SpecialHours
from tests.conftest import text_of
from tests.lisa.conftest import ADMIN, NURSE, local

HELP = "/hjalp/"


def add_service(site, name: str, *, open_on_holidays: bool = False, hours=(time(10), time(17))) -> int:
    """A weekday service, Monday to Friday, in Karlskoga."""
    with site.session() as db:
        org = Organisation(name=f"{name} förening", municipality="Karlskoga")
        db.add(org)
        db.flush()
        service = Service(
            organisation_id=org.id,
            name=name,
            summary="Prova att komma förbi.",
            municipality="Karlskoga",
            open_on_holidays=open_on_holidays,
        )
        db.add(service)
        db.flush()
        directory.refresh_search_text(db, service)
        for weekday in range(5):
            db.add(Schedule(service_id=service.id, weekday=weekday, opens_at=hours[0], closes_at=hours[1]))
        db.commit()
        return service.id  # type: ignore[return-value]


def open_now(client, name: str) -> bool:
    page = client.get(HELP, params={"oppet": "ja", "kommun": "Karlskoga"})
    assert page.status_code == 200
    return name in text_of(page.text)


def service_text(client, service_id: int) -> str:
    return text_of(client.get(f"/hjalp/tjanst/{service_id}").text)


def test_closed_on_juldagen_open_on_an_ordinary_tuesday(lisa_site, login, set_clock):
    service = add_service(lisa_site, "Vardagsträffen")
    nurse = login(lisa_site, NURSE)
    set_clock(local(2026, 12, 1, 12, 0))  # an ordinary Tuesday
    assert open_now(nurse, "Vardagsträffen")
    assert "Öppet idag 10.00–17.00" in service_text(nurse, service)
    set_clock(local(2026, 12, 25, 12, 0))  # juldagen, a Friday
    assert not open_now(nurse, "Vardagsträffen")
    page = service_text(nurse, service)
    assert "Stängt idag (juldagen)" in page and "Stängt just nu" in page
    # the week's list marks julafton's neighbours too: annandag jul is a Saturday (closed anyway), then Monday
    assert "fredag 25 december: stängt (juldagen)" in page
    assert "måndag 28 december: 10.00–17.00" in page
    card = text_of(nurse.get(f"/hjalp/tjanst/{service}/kort").text)
    assert "Stängt idag (juldagen)" in card
    listing = text_of(nurse.get(HELP, params={"q": "Vardagsträffen"}).text)
    assert "Stängt idag (juldagen)" in listing


def test_midsommarafton_closes_unless_the_service_keeps_its_hours(lisa_site, login, set_clock):
    usual = add_service(lisa_site, "Kvarterscaféet")
    keeps = add_service(lisa_site, "Stödlinjen", open_on_holidays=True)
    client = login(lisa_site, None)
    set_clock(local(2026, 6, 19, 12, 0))  # midsommarafton: no public holiday, but most close
    assert not open_now(client, "Kvarterscaféet")
    assert open_now(client, "Stödlinjen")
    assert "Stängt idag (midsommarafton)" in service_text(client, usual)
    page = service_text(client, keeps)
    assert "Öppet idag 10.00–17.00 (midsommarafton)" in page and "Samma tider även på helgdagar." in page
    # an ordinary Sunday is no holiday: closed only because the week says so, and unmarked
    set_clock(local(2026, 6, 21, 12, 0))
    assert "Stängt idag" in service_text(client, usual)
    assert "Stängt idag (" not in service_text(client, usual)


def test_admin_adds_special_hours_that_win_over_holidays_and_the_week(lisa_site, login, set_clock):
    service = add_service(lisa_site, "Matbanken")
    admin = login(lisa_site, ADMIN)
    set_clock(local(2026, 11, 24, 9, 0))
    form = admin.get(f"/hjalp/admin/tjanst/{service}/avvikelser")
    assert form.status_code == 200
    holidays_listed = text_of(form.text)
    assert "torsdag 24 december: stängt (julafton)" in holidays_listed
    assert "torsdag 31 december: stängt (nyårsafton)" in holidays_listed
    for label in ("Första dagen", "Sista dagen", "Öppet eller stängt", "Öppnar", "Stänger", "Förklaring"):
        assert re.search(rf"<label [^>]*>{re.escape(label)}</label>", form.text), label
    nye = {"starts_on": "2026-12-31", "kind": "open", "opens_at": "10:00", "closes_at": "14:00"}
    assert admin.submit(f"/hjalp/admin/tjanst/{service}/avvikelser", nye).status_code == 303
    staff_day = {"starts_on": "2026-12-01", "kind": "closed", "note": "Personaldag"}
    assert admin.submit(f"/hjalp/admin/tjanst/{service}/avvikelser", staff_day).status_code == 303
    listed = text_of(admin.get(f"/hjalp/admin/tjanst/{service}/avvikelser").text)
    assert "31 december: 10.00–14.00" in listed and "1 december: stängt (Personaldag)" in listed

    resident = login(lisa_site, None)
    set_clock(local(2026, 12, 31, 11, 0))
    assert open_now(resident, "Matbanken")
    assert "Öppet idag 10.00–14.00 (nyårsafton)" in service_text(resident, service)
    set_clock(local(2026, 12, 31, 15, 0))  # after the special closing, though the week says 17
    assert not open_now(resident, "Matbanken")
    set_clock(local(2026, 12, 1, 12, 0))  # an ordinary Tuesday made special
    assert not open_now(resident, "Matbanken")
    assert "Stängt idag (Personaldag)" in service_text(resident, service)
    set_clock(local(2026, 11, 24, 12, 0))
    page = service_text(resident, service)
    assert "Avvikande öppettider" in page and "31 december: 10.00–14.00" in page

    with lisa_site.session() as db:
        staff = db.exec(select(SpecialHours).where(SpecialHours.note == "Personaldag")).one()
    assert admin.submit(f"/hjalp/admin/tjanst/{service}/avvikelser/{staff.id}/ta-bort").status_code == 303
    set_clock(local(2026, 12, 1, 12, 0))
    assert open_now(resident, "Matbanken")


def test_a_closed_range_over_christmas(lisa_site, login, set_clock):
    service = add_service(lisa_site, "Klädbytet")
    admin = login(lisa_site, ADMIN)
    closed = {"starts_on": "2026-12-21", "ends_on": "2027-01-06", "kind": "closed", "note": "Julstängt"}
    assert admin.submit(f"/hjalp/admin/tjanst/{service}/avvikelser", closed).status_code == 303
    set_clock(local(2026, 12, 22, 12, 0))  # a Tuesday inside the range
    client = login(lisa_site, None)
    assert not open_now(client, "Klädbytet")
    page = service_text(client, service)
    assert "Stängt idag (Julstängt)" in page and "21 december–6 januari: stängt (Julstängt)" in page
    set_clock(local(2027, 1, 7, 12, 0))  # the day after: the week again
    assert open_now(client, "Klädbytet")


def test_the_form_says_what_to_fix(lisa_site, login):
    service = add_service(lisa_site, "Felträffen")
    admin = login(lisa_site, ADMIN)
    path = f"/hjalp/admin/tjanst/{service}/avvikelser"
    cases = [
        ({"starts_on": "", "kind": "closed"}, "Skriv första dagen, som ÅÅÅÅ-MM-DD."),
        ({"starts_on": "24 dec", "kind": "closed"}, "Skriv datumet som ÅÅÅÅ-MM-DD"),
        ({"starts_on": "2026-12-26", "ends_on": "2026-12-24", "kind": "closed"}, "kan inte vara före första dagen"),
        ({"starts_on": "2026-12-31", "kind": "open"}, "Skriv när det öppnar, till exempel 10.00."),
        ({"starts_on": "2026-12-31", "kind": "open", "opens_at": "10", "closes_at": "10.00"}, "samma tid"),
    ]
    for data, message in cases:
        response = admin.submit(path, data)
        assert response.status_code == 400, data
        assert message in text_of(response.text), (data, text_of(response.text)[:400])
        assert 'aria-invalid="true"' in response.text and "felsammanfattning" in response.text
    with lisa_site.session() as db:
        assert db.exec(select(SpecialHours).where(SpecialHours.service_id == service)).all() == []


def test_holidays_in_english(lisa_site, login, set_clock):
    service = add_service(lisa_site, "Helgträffen")
    client = login(lisa_site, None)
    set_clock(local(2026, 12, 25, 12, 0))
    page = text_of(client.get(f"/hjalp/tjanst/{service}", params={"lang": "en"}).text)
    assert "Closed today (Christmas Day)" in page
    assert "Friday 25 December: closed (Christmas Day)" in page
    set_clock(local(2026, 6, 19, 12, 0))
    assert "Closed today (Midsummer Eve)" in text_of(client.get(f"/hjalp/tjanst/{service}").text)


def test_the_admin_form_keeps_hours_on_holidays(lisa_site, login, set_clock):
    service = add_service(lisa_site, "Jourkaffet")
    admin = login(lisa_site, ADMIN)
    edit = admin.get(f"/hjalp/admin/tjanst/{service}")
    assert "Samma öppettider även på helgdagar" in text_of(edit.text)
    with lisa_site.session() as db:
        org_id = db.get(Service, service).organisation_id
    form = {
        "organisation_id": str(org_id),
        "name": "Jourkaffet",
        "summary": "Kaffe och samtal.",
        "languages": "sv",
        "contact_methods": "dropin",
        "openings_text": "mån 10-17\ntis 10-17\nons 10-17\ntor 10-17\nfre 10-17",
        "municipality": "Karlskoga",
        "status": "active",
        "open_on_holidays": "y",
    }
    assert admin.submit(f"/hjalp/admin/tjanst/{service}", form).status_code == 303
    set_clock(local(2026, 12, 25, 12, 0))
    assert open_now(login(lisa_site, None), "Jourkaffet")


def test_hsds_carries_special_hours_and_the_holiday_rule(lisa_site, login):
    service = add_service(lisa_site, "Exportträffen")
    with lisa_site.session() as db:
        uid = db.get(Service, service).uid
        db.add(SpecialHours(service_id=service, starts_on=date(2026, 12, 24), ends_on=date(2026, 12, 26)))
        db.add(
            SpecialHours(
                service_id=service,
                starts_on=date(2026, 12, 31),
                ends_on=date(2026, 12, 31),
                opens_at=time(10),
                closes_at=time(14),
                note="Nyårsfika",
            )
        )
        db.commit()
    client = login(lisa_site, None)
    body = client.get(f"/hjalp/api/services/{uid}").json()
    assert errors("service", body) == []
    weekly = [s for s in body["schedules"] if "valid_from" not in s]
    assert len(weekly) == 5 and {s["notes"] for s in weekly} == {
        "Stängt på helgdagar och på jul-, midsommar- och nyårsafton."
    }
    closed, nye = sorted((s for s in body["schedules"] if "valid_from" in s), key=lambda s: s["valid_from"])
    assert (closed["valid_from"], closed["valid_to"]) == ("2026-12-24", "2026-12-26")
    assert "opens_at" not in closed and closed["description"].startswith("Stängt")
    assert (nye["valid_from"], nye["opens_at"], nye["closes_at"], nye["notes"]) == (
        "2026-12-31",
        "10:00",
        "14:00",
        "Nyårsfika",
    )
