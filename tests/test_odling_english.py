"""The park in English: ``?lang=en`` turns every odling page, form, error,
flash message, date and count into English (``lang="en"`` on the page), while
Swedish stays the default and what leaves the site for people or machines
whose language we do not know (e-mail, the iCal feed, the Darwin Core export)
stays in the site's language, Swedish."""

from __future__ import annotations

import csv
import io
import re
from email import message_from_bytes
from email.policy import default as default_policy

from sqlmodel import select

from core.api import mail_folder
from core.models import Role
from plugins.odling.models import Member, Signup
from tests.conftest import add_user, text_of
from tests.odling_fixtures import add_bed, add_member, add_planting, add_session, member_token, odling_site

SWEDISH_LETTERS = re.compile(r"[åäöÅÄÖ]")


def ui_text(html: str) -> str:
    """The interface of an odling page, without content: the park's menu,
    column headings, labels, legends and buttons (flash messages, which name
    content, are checked one by one). Content (crop and bed names, tasks) is written in Swedish and
    may stay so; none of these may."""
    parts = re.findall(r'<nav class="odling-nav".*?</nav>', html, re.S)
    for tag in ("label", "legend", "button"):
        parts += re.findall(rf"<{tag}\b[^>]*>(.*?)</{tag}>", html, re.S)
    # A button's hidden words name its content ("Sign me up<span> for Rensa ogräs</span>").
    parts = [re.sub(r'<span class="visually-hidden">.*?</span>', "", part, flags=re.S) for part in parts]
    parts += re.findall(r'<th scope="col">(.*?)</th>', html, re.S)
    return text_of(" ".join(parts))


def assert_english(html: str) -> str:
    """The page is marked English, and its interface has no Swedish left."""
    assert '<html lang="en">' in html
    ui = ui_text(html)
    assert ui, "found no interface text to check"
    assert not SWEDISH_LETTERS.search(ui), ui
    for word in ("Parken", "Spara", "Bli medlem", "obligatoriskt", "Samordning"):
        assert word not in ui, (word, ui)
    return text_of(html)


def park_with_a_season(make_site):
    site = odling_site(make_site)
    bed = add_bed(site, "B1", "Kryddbädden")
    add_planting(site, bed, "Borago officinalis")
    work = add_session(site, "Rensa ogräs", days=3, places=5)  # Saturday 18 July 2026, 17:00–19:00
    return site, bed, work


def test_the_public_pages_of_the_park_in_english(make_site, make_client):
    site, bed, work = park_with_a_season(make_site)
    client = make_client(site)

    park = assert_english(client.get("/parken/?lang=en").text)
    assert "Map of the park" in park and "Beds and areas 2026" in park and "Upcoming work sessions" in park
    assert "B1 Kryddbädden Growing bed 12 m² Sun" in park  # the kind and light of a bed are labels, not content
    assert "Saturday, 18 July 2026 17:00" in park  # dates and times in English format
    assert "Karta över parken" not in park and "juli" not in park

    blooming = assert_english(client.get("/parken/blommar").text)  # the choice is remembered
    assert "What's in flower now" in blooming and "In July, " in blooming
    assert "Food for honeybees, bumblebees." in blooming and "In flower June–September" in blooming
    assert "January" in blooming and "Starts to flower in" in blooming
    assert "What flowers in May" in text_of(client.get("/parken/blommar?manad=5").text)

    plants_page = client.get("/parken/vaxter").text
    assert '<span lang="sv">Gurkört</span>' in plants_page  # content keeps its language, for screen readers
    plants = assert_english(plants_page)
    assert "Plants for bees and people" in plants and "Gurkört Borago officinalis" in plants
    assert re.search(r"\b\d+ plants\.", plants) and "Annual" in plants

    sessions = assert_english(client.get("/parken/pass").text)
    assert "Work sessions in the park" in sessions and "Rensa ogräs" in sessions
    assert "Saturday, 18 July 2026, 17:00–19:00" in sessions and "5 of 5 places free" in sessions

    session = assert_english(client.get(f"/parken/pass/{work}").text)
    assert "(2 hours)" in session and "Place: the whole park" in session and "Lost your link?" in session

    bed_page = assert_english(client.get(f"/parken/badd/{bed}").text)
    assert "Planted 2026" in bed_page and "No harvest has been recorded here this season." in bed_page

    pollinators = assert_english(client.get("/parken/pollinatorer").text)
    assert "Pollinators in the park 2026" in pollinators and "Download 2026 as Darwin Core (CSV)" in pollinators

    join = assert_english(client.get("/parken/bli-medlem").text)
    assert "Join the park" in join and "How would you like to take part? (required)" in join
    assert "Come to work sessions" in join and "I agree that Ätbart för bi och människa keeps my name" in join


def test_a_resident_joins_and_signs_up_in_english(make_site, make_client):
    site, _, work = park_with_a_season(make_site)
    client = make_client(site)
    client.get("/parken/bli-medlem?lang=en")

    missing = client.submit("/parken/bli-medlem", {"name": "", "interests": "arbetspass"})
    assert missing.status_code == 400
    errors = text_of(missing.text)
    assert "Something needs correcting" in errors and "Name: Enter your name." in errors
    assert "Tick the box so that we may keep your details." in errors

    joined = client.submit(
        "/parken/bli-medlem",
        {"name": "Ruth", "email": "ruth@test.example", "phone": "", "interests": "arbetspass", "consent": "y"},
    )
    assert joined.status_code == 303
    mine = assert_english(client.get(joined.headers["location"]).text)
    assert "Welcome as a member! This is your own page." in mine and "we have also sent it to your email" in mine
    assert "Hello Ruth!" in mine and "5 places free" in mine and "You want to: come to work sessions." in mine
    assert re.search(r"You gave your consent on \d{1,2} [A-Z][a-z]+ \d{4}: “I agree that", mine)  # stamped now
    assert "Your details will be deleted on 15 July 2028 unless you are active before then." in mine

    # The record keeps the words the person agreed to, in the language they read.
    with site.session() as db:
        member = db.exec(select(Member)).one()
    assert member.consent_text.startswith("I agree that Ätbart för bi och människa keeps my name")
    # The e-mail with the link is in the site's language: we do not know the reader's.
    files = sorted(mail_folder(site).glob("*.eml"))
    assert len(files) == 1
    message = message_from_bytes(files[0].read_bytes(), policy=default_policy)
    assert message["Subject"].startswith("Din länk till") and "Här är din personliga länk" in message.get_content()

    token = member_token(joined.headers["location"])
    signed = client.submit(f"/parken/mitt/{token}/pass/{work}/anmal")
    after = assert_english(client.get(signed.headers["location"]).text)
    assert "You are signed up for Rensa ogräs. Welcome!" in after and "You are signed up. Cancel" in after
    assert "Cancel Rensa ogräs" in after  # the button says what it cancels, for a screen reader
    cancelled = client.submit(f"/parken/mitt/{token}/pass/{work}/avboka")
    assert "Your place is cancelled." in text_of(client.get(cancelled.headers["location"]).text)

    logged = client.submit(
        f"/parken/mitt/{token}/observation",
        {"observed_on": "2026-07-14", "bed": "", "taxon": "bombus-terrestris", "count": "3"},
    )
    assert logged.status_code == 303
    assert "Thank you! Your count is saved: Buff-tailed bumblebee, 3." in text_of(
        client.get(f"/parken/mitt/{token}").text
    )
    counts = assert_english(client.get("/parken/pollinatorer").text)
    assert "14 July 2026: Buff-tailed bumblebee, 3 individuals" in counts
    assert "July: 3 bumblebees" in client.get("/parken/pollinatorer").text  # the chart's bar titles

    gone = client.submit(f"/parken/mitt/{token}/radera", {"bekrafta": "ja"})
    assert "Your details are deleted. Thank you for taking part!" in text_of(client.get(gone.headers["location"]).text)
    broken = client.get(f"/parken/mitt/{token}")
    assert broken.status_code == 404 and "The link does not work." in text_of(broken.text)


def test_coordinators_work_in_english(make_site, make_client):
    site, bed, work = park_with_a_season(make_site)
    add_user(site, "admin@test.example", Role.ADMIN)
    add_user(site, "editor@test.example", Role.EDITOR)
    member = add_member(site, "Ove", "", "070-111 22 33")
    client = make_client(site)
    client.get("/?lang=en")
    client.login("admin@test.example")

    form = client.get("/parken/samordning/skord").text
    harvests = assert_english(form)
    assert "Harvest log 2026" in harvests and "Record a harvest" in harvests
    assert '<option value="knippen">bunches</option>' in form
    planting = re.search(r'<option value="(\d+)">B1 Kryddbädden: Gurkört</option>', form)
    assert planting
    saved = client.submit(
        "/parken/samordning/skord?sasong=2026",
        {"planting": planting.group(1), "harvested_on": "2026-07-14", "quantity": "2.5", "unit": "knippen"},
    )
    assert saved.status_code == 303
    log = assert_english(client.get(saved.headers["location"]).text)
    assert "The harvest is recorded." in log
    assert "Gurkört: 2.5 bunches" in log and "14 Jul Gurkört B1 Kryddbädden 2.5 bunches" in log

    # Errors from the plugin and from WTForms itself, all in English.
    refused = client.submit("/parken/samordning/baddar/ny", {"code": "B9", "name": "", "area_m2": "x", "x": "5000"})
    assert refused.status_code == 400
    errors = assert_english(refused.text)
    assert "Name: Enter the name of the bed." in errors and "Number must be between 0 and 1000" in errors
    assert "Not a valid decimal value" in errors

    assert assert_english(client.get("/parken/samordning").text)
    assert "Coordinating the park" in text_of(client.get("/parken/samordning").text)

    with site.session() as db:
        db.add(Signup(session_id=work, member_id=member.id))
        db.commit()
    session = assert_english(client.get(f"/parken/pass/{work}").text)
    assert "Signed up (1)" in session and "070-111 22 33 · no email: phone" in session
    marked = client.submit(f"/parken/samordning/pass/{work}/narvaro", {"narvarande": []})
    assert "Attendance is saved: 0 came." in text_of(client.get(marked.headers["location"]).text)

    members = assert_english(client.get("/parken/samordning/medlemmar").text)
    assert "Members of the park 1 member, 0 volunteer hours in total." in members

    # An editor who is no coordinator is told why, in English.
    other = make_client(site)
    other.get("/?lang=en")
    other.login("editor@test.example")
    forbidden = other.get("/parken/samordning")
    assert forbidden.status_code == 403 and "This page is for the park's coordinators." in text_of(forbidden.text)


def test_the_park_in_core_pages_and_what_stays_swedish(make_site, make_client):
    site, _, work = park_with_a_season(make_site)
    add_user(site, "admin@test.example", Role.ADMIN)
    client = make_client(site)
    client.get("/?lang=en")

    front = text_of(client.get("/").text)
    assert "In flower now in the park" in front and "In flower in July, among others: " in front
    hits = text_of(client.get("/sok?q=borago").text)
    assert "Plant in the park" in hits and "In flower June–September. Food for honeybees, bumblebees." in hits

    client.login("admin@test.example")
    admin = text_of(client.get("/-/admin").text)
    assert "The park: coordination" in admin and "Beds, planting, harvests, work sessions" in admin
    report = text_of(client.get("/-/admin/uppfoljning?fran=2026-01-01&till=2026-12-31").text)
    assert "New members of the park" in report and "Work sessions in the park 1 sessions" in report

    # Machine formats and feeds keep the site's language.
    client.submit(
        "/parken/pollinatorer/ny", {"observed_on": "2026-07-10", "bed": "", "taxon": "apis-mellifera", "count": "2"}
    )
    rows = list(csv.DictReader(io.StringIO(client.get("/parken/pollinatorer.csv").text)))
    assert rows[0]["vernacularName"] == "Honungsbi" and rows[0]["scientificName"] == "Apis mellifera"
    ical = client.get("/parken/pass.ics").text
    assert "Arbetspass – Ätbart för bi och människa" in ical and "Lediga platser: 5 av 5." in ical


def test_swedish_is_the_default_and_unchanged(make_site, make_client):
    site, bed, work = park_with_a_season(make_site)
    add_user(site, "admin@test.example", Role.ADMIN)
    client = make_client(site)

    page = client.get("/parken/")
    assert '<html lang="sv">' in page.text
    park = text_of(page.text)
    assert "Karta över parken" in park and "Bäddar och områden 2026" in park and "Kommande arbetspass" in park
    assert "B1 Kryddbädden Odlingsbädd 12 m² Sol" in park and "lördag 18 juli 2026 17:00" in park
    assert "Map of the park" not in park

    assert "I juli blommar" in text_of(client.get("/parken/blommar").text)
    assert "5 av 5 platser lediga" in text_of(client.get("/parken/pass").text)
    assert "(2 timmar)" in text_of(client.get(f"/parken/pass/{work}").text)
    join = text_of(client.get("/parken/bli-medlem").text)
    assert "Hur vill du vara med? (obligatoriskt)" in join and "Komma på arbetspass" in join

    client.login("admin@test.example")
    form = client.get("/parken/samordning/skord").text
    assert '<option value="knippen">knippen</option>' in form
    planting = re.search(r'<option value="(\d+)">B1 Kryddbädden: Gurkört</option>', form)
    saved = client.submit(
        "/parken/samordning/skord?sasong=2026",
        {"planting": planting.group(1), "harvested_on": "2026-07-14", "quantity": "2.5", "unit": "knippen"},
    )
    log = text_of(client.get(saved.headers["location"]).text)
    assert "Skörden är registrerad." in log and "14 juli Gurkört B1 Kryddbädden 2,5 knippen" in log
    refused = text_of(client.submit("/parken/samordning/baddar/ny", {"code": "B9", "area_m2": "x"}).text)
    assert "Något behöver rättas" in refused and "Skriv bäddens namn." in refused

    # Back from English to Swedish by the language link: Swedish again.
    client.get("/parken/?lang=en")
    assert '<html lang="sv">' in client.get("/parken/pass?lang=sv").text
    assert "Arbetspass i parken" in text_of(client.get("/parken/pass").text)
