"""LISA in English (issue 7): a resident, a nurse and the umbrella's staff
can use the directory with ``?lang=en``; Swedish stays the default.

The pages are read as a person sees them (``text_of``): headings, buttons,
badges, opening hours, dates, flashes after a POST and form errors. What
people wrote (service names and descriptions) stays in Swedish and is marked
``lang="sv"`` on English pages, and what the referral records (consent) is
kept in Swedish whatever the page's language."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

from sqlmodel import select

from plugins.lisa import confirm
from plugins.lisa.models import Organisation, Referral, Schedule, Service
from tests.conftest import text_of
from tests.lisa.conftest import ADMIN, NURSE, VOLUNTEER, local
from tests.lisa.test_referrals import NAME, send, service_id

HELP = "/hjalp/"
MEETING = "Träffpunkt för gemenskap"  # Röda Korset, Karlskoga: Tuesday and Thursday 13–16, takes referrals


def english(login, site, email: str | None = None):
    client = login(site, email)
    client.get("/?lang=en")
    return client


def checked_on(site, name: str, day: datetime) -> int:
    with site.session() as db:
        service = db.exec(select(Service).where(Service.name == name)).one()
        service.verified_at, service.verified_by = day, "Kansliet"
        db.add(service)
        db.commit()
        return service.id


def test_a_resident_finds_help_in_english(lisa_site, login, set_clock) -> None:
    set_clock(local(2026, 11, 24, 14, 0))  # a Tuesday afternoon: the meeting place is open
    client = english(login, lisa_site)

    front = client.get(HELP)
    assert '<html lang="en">' in front.text
    text = text_of(front.text)
    assert "Find the right help" in text and "In an emergency: call 112." in text
    # the needs a site starts with, in English; the link still uses the stable code
    assert "Loneliness" in text and "Money and debts" in text and "Domestic violence" in text
    assert 'href="/hjalp/?behov=ensamhet"' in front.text
    assert "Search and more filters" in text and "All municipalities" in text and "Show help" in text
    assert "Arabic" in text and "Sign language" in text  # the language filter
    for swedish in ("Hitta rätt hjälp", "Ensamhet", "Visa hjälp", "Alla kommuner", "arabiska"):
        assert swedish not in text, swedish
    assert not re.search(r"\d+ tjänster", text)

    found = text_of(client.get(HELP, params={"behov": "ensamhet", "kommun": "Karlskoga"}).text)
    assert "Needs: Loneliness – change need" in found
    assert re.search(r"Loneliness: \d+ services", found)
    assert "Open now" in found and "Free" in found and "Drop-in" in found and "from 18 years" in found
    assert "Tuesday 13:00–16:00, Thursday 13:00–16:00" in found
    assert "Call 0586-310 10" in found
    one = text_of(client.get(HELP, params={"q": "Kupan"}).text)
    assert "1 service" in one and "1 services" not in one

    sid = service_id(lisa_site, MEETING)
    page = client.get(f"/hjalp/tjanst/{sid}")
    text = text_of(page.text)
    for heading in ("How to get in touch", "Opening hours", "Ways to get in touch", "Who it is for", "Show as a card"):
        assert heading in text, heading
    assert "Drop-in, come when it is open" in text and "Swedish, English" in text
    # people's own words stay Swedish, marked so a screen reader says them right
    assert re.search(r'<p class="lead" lang="sv">Fika, samtal', page.text)

    card = text_of(client.get(f"/hjalp/tjanst/{sid}/kort").text)
    assert "Card: Träffpunkt för gemenskap" in card and "Open: Tuesday 13:00–16:00" in card


def test_dates_follow_the_language(lisa_site, login) -> None:
    sid = checked_on(lisa_site, MEETING, datetime(2026, 3, 5, 12, tzinfo=UTC))
    english_page = text_of(english(login, lisa_site).get(f"/hjalp/tjanst/{sid}").text)
    assert "The details were checked on 5 March 2026 by Kansliet." in english_page
    swedish_page = text_of(login(lisa_site, None).get(f"/hjalp/tjanst/{sid}").text)
    assert "Uppgifterna kontrollerades 5 mars 2026 av Kansliet." in swedish_page


def test_swedish_is_unchanged_and_the_default(lisa_site, login, set_clock) -> None:
    set_clock(local(2026, 11, 24, 14, 0))
    client = login(lisa_site, None)
    front = client.get(HELP, params={"behov": "ensamhet", "kommun": "Karlskoga"})
    assert '<html lang="sv">' in front.text
    text = text_of(front.text)
    assert "Hitta rätt hjälp" in text and "Behov: Ensamhet – byt behov" in text
    assert re.search(r"Ensamhet: \d+ tjänster", text)
    assert "Öppet nu" in text and "från 18 år" in text and "Ring 0586-310 10" in text
    assert "tisdag 13.00–16.00, torsdag 13.00–16.00" in text
    assert "Loneliness" not in text and "Find the right help" not in text
    # Swedish content carries no language mark on a Swedish page
    assert 'lang="sv"' not in front.text.split("<html", 1)[1].split(">", 1)[1]
    poster = client.get("/hjalp/affisch/Karlskoga")
    assert "Hitta rätt hjälp i Karlskoga" in text_of(poster.text)
    assert "?kommun=Karlskoga&lang" not in poster.text


def test_the_poster_prints_in_english_and_its_qr_code_opens_english(lisa_site, login) -> None:
    client = english(login, lisa_site)
    poster = client.get("/hjalp/affisch/Karlskoga")
    text = text_of(poster.text)
    assert "Find the right help in Karlskoga" in text and "Scan with your phone's camera" in text
    assert re.search(r"\d+ services right now\.", text)
    assert "/hjalp/?kommun=Karlskoga&amp;lang=en" in poster.text
    listing = text_of(client.get("/hjalp/skriv-ut/lista", params={"behov": "ensamhet"}).text)
    assert "Find the right help: Loneliness" in listing and "Printed" in listing


def test_a_nurse_refers_in_english_and_the_consent_is_recorded_in_swedish(lisa_site, login, set_clock) -> None:
    set_clock(local(2026, 11, 24, 9, 15))
    nurse = english(login, lisa_site, NURSE)
    sid = service_id(lisa_site, MEETING)
    form = text_of(nurse.get(f"/hjalp/tjanst/{sid}/remiss").text)
    assert "Send a referral to Röda Korset Karlskoga-Degerfors" in form
    assert "The person consents to: That Vårdcentralen Bofors gives a first name" in form
    assert "The person themselves" in form and "Legal guardian" in form  # the select's options

    refused = nurse.submit(f"/hjalp/tjanst/{sid}/remiss", {"person_name": "", "need": "19800101-1234"})
    assert refused.status_code == 400
    errors = text_of(refused.text)
    assert "Something needs correcting" in errors
    assert "Write the person's first name or an alias." in errors
    assert "Remove the personal identity number." in errors

    sent = send(nurse, lisa_site)
    assert sent.status_code == 303
    page = text_of(nurse.get(sent.headers["location"]).text)
    assert "The referral has been sent to Röda Korset Karlskoga-Degerfors. You will see the answer under" in page
    assert "Status: Sent, waiting for an answer" in page
    assert "Deleted on 22 February 2027" in page  # a date in English
    assert "Vera Sjuksköterska – sent it" in page and "Vera Sjuksköterska – read it" in page
    with lisa_site.session() as db:
        referral = db.exec(select(Referral)).one()
    # the record keeps the site's language: both parties and a reviewer read it
    assert referral.consent_by == "Personen själv"
    assert referral.consent_scope.startswith("Att Vårdcentralen Bofors lämnar förnamn")

    volunteer = english(login, lisa_site, VOLUNTEER)
    listing = text_of(volunteer.get("/hjalp/remisser").text)
    assert "Received referrals" in listing and "Sent, waiting for an answer" in listing and NAME not in listing
    volunteer.submit(f"/hjalp/remisser/{referral.id}/status", {"status": "accepted"})
    answered = volunteer.get(f"/hjalp/remisser/{referral.id}")
    text = text_of(answered.text)
    assert "The referral's status is now: accepted." in text  # the flash after the POST
    assert "Status: Accepted" in text and "Olle Volontär – set the status to accepted" in text
    assert re.search(r'<span lang="sv">Att Vårdcentralen Bofors lämnar', answered.text)

    # the Swedish nurse sees the same referral in Swedish
    swedish = text_of(login(lisa_site, NURSE).get(f"/hjalp/remisser/{referral.id}").text)
    assert "Status: Antagen" in swedish and "Olle Volontär – satte status antagen" in swedish
    assert "Raderas 22 februari 2027" in swedish


def test_staff_run_the_directory_in_english(lisa_site, login, set_clock) -> None:
    set_clock(local(2026, 11, 24, 14, 0))
    admin = english(login, lisa_site, ADMIN)
    overview = admin.get("/hjalp/admin")
    assert '<html lang="en">' in overview.text
    text = text_of(overview.text)
    assert "LISA – administration" in text and "New service" in text and "Roles and health centres" in text
    assert "Suggested changes from organisations (0)" in text and "No suggestions are waiting." in text
    assert re.search(r"Needs checking \(\d+\)", text) and "Mark as checked" in text
    assert "Access log for referrals" in text
    for swedish in ("Ny tjänst", "Behöver kontrolleras", "Markera som kontrollerad", "Åtkomstlogg"):
        assert swedish not in text, swedish

    sid = service_id(lisa_site, MEETING)
    verified = admin.submit(f"/hjalp/admin/tjanst/{sid}/kontrollerad")
    assert verified.status_code == 303
    assert "“Träffpunkt för gemenskap” is marked as checked today." in text_of(admin.get("/hjalp/admin").text)

    form = admin.get(f"/hjalp/admin/tjanst/{sid}")
    text = text_of(form.text)
    assert "Name of the service" in text and "Ways to get in touch" in text and "Save the service" in text
    assert "Tuesday 13:00–16:00\nThursday 13:00–16:00" in form.text  # the opening hours to edit
    assert '<option selected value="active">Running</option>' in form.text

    # errors set in Python come in English; English day names are understood
    bad = admin.submit(
        f"/hjalp/admin/tjanst/{sid}", {"name": MEETING, "summary": "x", "openings_text": "Someday 10-12"}
    )
    assert bad.status_code == 400
    assert "“Someday” is not a day of the week. Write one opening time per line" in text_of(bad.text)

    organisation = admin.get("/hjalp/admin/organisation/ny")
    assert '<option value="Förening">Association</option>' in organisation.text  # stored in Swedish, shown in English
    wrong_phone = admin.submit("/hjalp/admin/organisation/ny", {"name": "X", "kind": "Förening", "phone": "call us"})
    assert wrong_phone.status_code == 400
    assert "Phone: Write the phone number in digits, for example 0586-123 45." in text_of(wrong_phone.text)

    needs = text_of(admin.get("/hjalp/admin/behov").text)
    assert "The needs are the buttons residents choose from." in needs and "Name of the need" in needs
    added = admin.submit("/hjalp/admin/behov", {"name": "Läxhjälp", "description": "", "position": "50"})
    assert added.status_code == 303
    assert "The need “Läxhjälp” has been added." in text_of(admin.get("/hjalp/admin/behov").text)

    report = text_of(admin.get("/-/admin/uppfoljning").text)
    assert "Services in LISA" in report and "Referrals sent through LISA" in report


def test_opening_hours_typed_in_english_are_stored_and_shown_in_each_language(lisa_site, login) -> None:
    admin = english(login, lisa_site, ADMIN)
    sid = service_id(lisa_site, MEETING)
    form = admin.get(f"/hjalp/admin/tjanst/{sid}").text
    fields = re.findall(r'<input[^>]* name="([a-z_]+)"[^>]* value="([^"]*)"', form)
    fields += re.findall(r'name="([a-z_]+)"[^>]*>\r?\n?([^<]*)</textarea>', form)
    skip = ("csrftoken", "verified", "free", "accepts_referrals", "languages", "contact_methods", "terms")
    data = {name: html.unescape(value) for name, value in fields if name not in skip}
    data |= {"organisation_id": re.search(r'<option selected value="(\d+)"', form).group(1)}
    data |= {"municipality": "Karlskoga", "status": "active", "terms": [], "openings_text": "Thu 10:00-12:30\nsat 9-11"}
    saved = admin.submit(f"/hjalp/admin/tjanst/{sid}", data)
    assert saved.status_code == 303, text_of(saved.text)[:800]
    with lisa_site.session() as db:
        rows = db.exec(select(Schedule).where(Schedule.service_id == sid).order_by(Schedule.weekday)).all()
        assert [(r.weekday, r.opens_at.strftime("%H:%M"), r.closes_at.strftime("%H:%M")) for r in rows] == [
            (3, "10:00", "12:30"),
            (5, "09:00", "11:00"),
        ]
    page = text_of(admin.get(f"/hjalp/tjanst/{sid}").text)
    assert "Thursday 10:00–12:30" in page and "Saturday 09:00–11:00" in page
    assert "Kom förbi när det är öppet." in page  # the rest of the form was kept
    assert "torsdag 10.00–12.30" in text_of(login(lisa_site, None).get(f"/hjalp/tjanst/{sid}").text)


def test_an_organisation_confirms_in_english(lisa_site, login) -> None:
    with lisa_site.session() as db:
        organisation = db.exec(select(Organisation).where(Organisation.name == "Röda Korset Karlskoga-Degerfors")).one()
        link = confirm.confirm_url(lisa_site, organisation)
    sid = service_id(lisa_site, MEETING)
    visitor = english(login, lisa_site)
    page = visitor.get(link)
    assert "Are the details about Röda Korset Karlskoga-Degerfors right?" in text_of(page.text)
    # the form as a browser sends it back unchanged: the English opening hours equal the stored ones
    section = page.text.split(f'id="tjanst-{sid}"', 1)[1].split("</section>", 1)[0]
    fields = re.findall(r'<input[^>]* name="(s\d+-[a-z_]+)"[^>]* value="([^"]*)"', section)
    fields += re.findall(r'name="(s\d+-[a-z_]+)"[^>]*>\r?\n?([^<]*)</textarea>', section)
    data = {name: html.unescape(value) for name, value in fields}
    data |= {f"s{sid}-status": "active", f"s{sid}-submitter": "Olle", "atgard": "foresla"}
    assert "Tuesday 13:00–16:00" in data[f"s{sid}-openings_text"]
    unchanged = visitor.submit(f"{link}/{sid}", data)
    assert unchanged.status_code == 303, data
    assert "You did not change anything." in text_of(visitor.get(link).text)
    data[f"s{sid}-summary"] = "Fika och samtal varje vecka."
    visitor.submit(f"{link}/{sid}", data)
    assert "Thank you! The changes have been sent to the office" in text_of(visitor.get(link).text)
    admin = english(login, lisa_site, ADMIN)
    overview = text_of(admin.get("/hjalp/admin").text)
    assert "Suggested changes from organisations (1)" in overview and "Short description" in overview
    assert "Opening hours" not in overview.split("Suggested changes from organisations (1)")[1].split("Approve")[0]


def test_the_open_api_explains_errors_in_english_but_keeps_its_format(lisa_site, login) -> None:
    client = login(lisa_site, None)
    english_error = client.get("/hjalp/api/services", params={"per_page": "0", "lang": "en"})
    assert english_error.status_code == 400
    assert english_error.json() == {"status": 400, "message": "per_page must be a whole number from 1 to 100."}
    swedish_error = login(lisa_site, None).get("/hjalp/api/services/nope")
    assert swedish_error.json()["message"] == "Det finns ingen tjänst med det id:t."
    listing = client.get("/hjalp/api/services", params={"lang": "en"}).json()
    assert {"total_items", "contents"} <= set(listing) and "name" in listing["contents"][0]


def result_names(html_text: str) -> set[str]:
    return set(re.findall(r'<li class="lisa-result[^"]*">\s*<h2><a href="[^"]+">([^<]+)</a>', html_text))


def test_a_resident_searches_in_english_words(lisa_site, login) -> None:
    """Services are written in Swedish; the names of needs and languages are
    what an English word can find."""
    client = english(login, lisa_site)
    debts = result_names(client.get(HELP, params={"q": "debts", "kommun": "Karlskoga"}).text)
    assert "Budget- och skuldrådgivning" in debts and "Diakonimottagning" in debts
    assert "Matkassar" not in debts
    arabic_food = result_names(client.get(HELP, params={"q": "arabic food"}).text)
    assert arabic_food == {"Matkassar"}  # every word must match: in Arabic, and about food
    assert "Matkassar" in result_names(client.get(HELP, params={"q": "matkasse"}).text)  # Swedish words still work
    # On a Swedish page the English words mean nothing.
    assert result_names(login(lisa_site, None).get(HELP, params={"q": "debts"}).text) == set()
