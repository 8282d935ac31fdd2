"""The park: the plan, the crop list and "Vad blommar nu", and a
coordinator planning a bed and logging a harvest."""

from __future__ import annotations

import csv
import re
import xml.etree.ElementTree as ET

from sqlmodel import select

from core.models import Role
from plugins.odling.crops import STARTER_LIST
from plugins.odling.models import Coordinator, Crop, Harvest, Planting
from tests.conftest import add_user, text_of
from tests.odling_fixtures import TODAY, add_bed, add_planting, crop_id, odling_site

SVG = "{http://www.w3.org/2000/svg}"


def test_the_starter_list_has_forty_real_crops_for_bees_and_people():
    rows = list(csv.DictReader(STARTER_LIST.open(encoding="utf-8")))
    assert len(rows) >= 40
    latin = [r["name_latin"] for r in rows]
    assert len(set(latin)) == len(latin), "a crop is listed twice"
    for row in rows:
        # A binomial (or genus × hybrid, or a variety) with a capitalised genus.
        assert re.match(r"^[A-Z][a-z]+ (× )?[a-z-]+( var\. [a-z]+)?$", row["name_latin"]), row["name_latin"]
        months = [int(m) for m in row["flowering"].split()]
        assert months and all(1 <= m <= 12 for m in months) and months == sorted(months), row
        assert row["edible_parts"].strip(), f"{row['name_sv']}: say what people eat"
        assert row["pollinators"].split(), f"{row['name_sv']}: say which pollinators it feeds"
        assert row["lifecycle"] in {"ettarig", "tvaarig", "flerarig"}
    by_latin = {r["name_latin"]: r for r in rows}
    # Spot checks against flora and garden literature for central Sweden.
    assert by_latin["Borago officinalis"]["flowering"].split() == ["6", "7", "8", "9"]
    assert by_latin["Malus domestica"]["flowering"].split() == ["5", "6"]
    assert "humlor" in by_latin["Vicia faba"]["pollinators"]


def test_every_site_starts_with_the_starter_list(make_site):
    site = odling_site(make_site)
    with site.session() as db:
        crops = db.exec(select(Crop)).all()
    assert len(crops) == len(list(csv.DictReader(STARTER_LIST.open(encoding="utf-8"))))
    borage = next(c for c in crops if c.name_latin == "Borago officinalis")
    assert borage.name_sv == "Gurkört" and borage.months == [6, 7, 8, 9] and "humlor" in borage.pollinator_keys


def test_what_blooms_now_follows_the_park_date(make_site, make_client):
    site = odling_site(make_site)
    client = make_client(site)
    page = text_of(client.get("/parken/blommar").text)
    assert "Vad blommar nu" in page and "I juli blommar" in page
    assert "Gurkört" in page and "Borago officinalis" in page
    assert "Ramslök" not in page  # flowers in May–June
    may, starting = text_of(client.get("/parken/blommar?manad=5").text).split("Börjar blomma i juni")
    assert "Vad blommar i maj" in may and "Ramslök" in may and "Gurkört" not in may
    assert "Gurkört" in starting

    december = odling_site(make_site, settings="today = 2026-12-10\n", slug="vinter", url=_sqlite(site))
    winter = text_of(make_client(december).get("/parken/blommar").text)
    assert "Ingen av parkens växter blommar den här månaden" in winter
    assert "Börjar blomma i april" in winter and "Blåbärstry" in winter


def _sqlite(site):
    """A second site's database: a fresh SQLite file beside the first site's data."""
    return f"sqlite:///{site.data_dir.parent / 'second.db'}"


def test_the_plan_draws_every_bed_as_a_link_and_marks_what_blooms(make_site, make_client):
    site = odling_site(make_site)
    herbs = add_bed(site, "B1", "Kryddbädden")
    add_bed(site, "O2", "Ängen", kind="omrade")
    add_planting(site, herbs, "Borago officinalis")
    html = make_client(site).get("/parken/").text
    svg = ET.fromstring(re.search(r"<svg [^>]*class=\"park-plan\".*?</svg>", html, re.S).group(0))
    links = svg.findall(f"{SVG}a")
    assert [a.find(f"{SVG}title").text for a in links] == ["B1 Kryddbädden: blommar nu", "O2 Ängen"]
    assert links[0].get("href") == f"/parken/badd/{herbs}"
    assert "blooming" in links[0].find(f"{SVG}rect").get("class")
    assert "kind-omrade" in links[1].find(f"{SVG}rect").get("class")
    # The same beds are in a table for those who do not see the plan.
    page = text_of(html)
    assert "B1 Kryddbädden Odlingsbädd 12 m² Sol Gurkört" in page


def test_a_coordinator_plans_a_bed_and_logs_a_harvest(make_site, make_client):
    site = odling_site(make_site)
    user = add_user(site, "samordnare@test.example", Role.EDITOR, "Sam Samordnare")
    with site.session() as db:
        db.add(Coordinator(user_id=user.id, responsibility="Bäddarna"))
        db.commit()
    client = make_client(site)
    client.login("samordnare@test.example")

    bed = {"code": "B4", "name": "Bönbädden", "kind": "badd", "area_m2": "14,5", "x": "400", "y": "50"}
    refused = client.submit("/parken/samordning/baddar/ny", {**bed, "width": "5000", "height": "90", "sun": "sol"})
    assert refused.status_code == 400
    assert "Bredd på kartan" in text_of(refused.text) and 'aria-invalid="true"' in refused.text

    created = client.submit(
        "/parken/samordning/baddar/ny", {**bed, "area_m2": "14.5", "width": "160", "height": "90", "sun": "sol"}
    )
    assert created.status_code == 303
    bed_url = created.headers["location"]
    bed_id = int(bed_url.rsplit("/", 1)[1])

    planned = client.submit(
        "/parken/samordning/plantering/ny",
        {
            "bed": str(bed_id),
            "crop": str(crop_id(site, "Vicia faba")),
            "season": "2026",
            "planted_on": "2026-05-10",
            "amount": "3 rader",
        },
    )
    assert planned.status_code == 303
    bed_page = text_of(client.get(planned.headers["location"]).text)
    assert "Bondböna Vicia faba juni–juli 10 maj 3 rader" in bed_page

    with site.session() as db:
        planting = db.exec(select(Planting).where(Planting.bed_id == bed_id)).one()
    logged = client.submit(
        "/parken/samordning/skord?sasong=2026",
        {
            "planting": str(planting.id),
            "harvested_on": "2026-07-14",
            "quantity": "3.5",
            "unit": "kg",
            "notes": "Första skörden",
        },
    )
    assert logged.status_code == 303
    log = text_of(client.get("/parken/samordning/skord?sasong=2026").text)
    assert "Bondböna: 3,5 kg" in log and "Första skörden" in log
    assert "14 juli: Bondböna, 3,5 kg" in text_of(client.get(bed_url).text)
    with site.session() as db:
        assert [h.quantity for h in db.exec(select(Harvest)).all()] == [3.5]


def test_a_coordinator_adds_a_crop_with_flowering_months(make_site, make_client):
    site = odling_site(make_site)
    add_user(site, "admin@test.example", Role.ADMIN)
    client = make_client(site)
    client.login("admin@test.example")
    missing = client.submit(
        "/parken/samordning/vaxter/ny", {"name_sv": "Honungsört", "name_latin": "Phacelia tanacetifolia"}
    )
    assert missing.status_code == 400
    assert "Kryssa i minst en månad då växten blommar." in text_of(missing.text)
    ok = client.post(
        "/parken/samordning/vaxter/ny",
        data={
            "csrftoken": client.csrf(),
            "name_sv": "Kronärtskocka",
            "name_latin": "Cynara cardunculus",
            "edible_parts": "blomknoppar",
            "flowering": ["8", "9"],
            "pollinators": ["humlor", "honungsbi"],
            "lifecycle": "flerarig",
        },
        follow_redirects=False,
    )
    assert ok.status_code == 303
    august = text_of(client.get("/parken/blommar?manad=8").text)
    assert "Kronärtskocka" in august and "Cynara cardunculus" in august
    july = text_of(client.get("/parken/blommar?manad=7").text).split("Börjar blomma i augusti")[0]
    assert "Kronärtskocka" not in july


def test_planning_pages_are_for_coordinators_only(make_site, make_client):
    site = odling_site(make_site)
    add_user(site, "redaktor@test.example", Role.EDITOR)
    client = make_client(site)
    assert client.get("/parken/samordning", follow_redirects=False).headers["location"].startswith("/konto/logga-in")
    client.login("redaktor@test.example")
    refused = client.get("/parken/samordning/medlemmar")
    assert refused.status_code == 403 and "parkens samordnare" in text_of(refused.text)


def test_the_plugin_is_absent_on_a_site_that_does_not_enable_it(make_site, make_client):
    site = make_site(plugin_settings={"webportal": 'municipalities = ["Karlskoga"]\n'})
    client = make_client(site)
    assert client.get("/parken/").status_code == 404
    assert client.get("/parken/pollinatorer.csv").status_code == 404
    assert "Parken" not in text_of(client.get("/").text)
    assert "odling" in site.installed and "odling" not in site.enabled
    listed = [row["name"] for row in client.get("/-/plugins.json").json()["plugins"]]
    assert listed == ["core", "federation", "webportal"]
    from sqlalchemy import inspect

    assert not [t for t in inspect(site.engine).get_table_names() if t.startswith("odling_")]


def test_front_page_search_and_report_include_the_park(make_site, make_client):
    site = odling_site(make_site)
    herbs = add_bed(site)
    planting = add_planting(site, herbs, "Cucurbita pepo")
    with site.session() as db:
        db.add(Harvest(planting_id=planting, harvested_on=TODAY, quantity=4.0, unit="kg"))
        db.commit()
    add_user(site, "admin@test.example", Role.ADMIN)
    client = make_client(site)
    front = text_of(client.get("/").text)
    assert "Blommar nu i parken" in front and "I juli blommar bland annat" in front
    hits = text_of(client.get("/sok?q=borago").text)
    assert "Gurkört (Borago officinalis)" in hits and "Blommar juni–september" in hits
    client.login("admin@test.example")
    report = text_of(client.get("/-/admin/uppfoljning?fran=2026-01-01&till=2026-12-31").text)
    assert "Skörd i parken" in report and "4 kg" in report
