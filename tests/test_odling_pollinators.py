"""Pollinators: a volunteer logs a count from their page, it shows in the
monthly chart and leaves in the Darwin Core export."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET

from core.models import Role
from plugins.odling.models import Observation
from plugins.odling.observations import DWC_COLUMNS
from tests.conftest import add_user, text_of
from tests.odling_fixtures import add_bed, add_member, odling_site

SVG = "{http://www.w3.org/2000/svg}"
REQUIRED_DWC = {
    "occurrenceID",
    "basisOfRecord",
    "scientificName",
    "eventDate",
    "individualCount",
    "locality",
    "decimalLatitude",
    "decimalLongitude",
}


def _chart_bars(html: str) -> list[str]:
    svg = ET.fromstring(re.search(r"<svg [^>]*class=\"chart\".*?</svg>", html, re.S).group(0))
    return [rect.find(f"{SVG}title").text for rect in svg.iter(f"{SVG}rect")]


def test_a_volunteer_logs_bees_and_the_darwin_core_export_has_them(make_site, make_client):
    site = odling_site(make_site, settings="today = 2026-07-15\nlatitude = 59.3301\nlongitude = 14.5512\n")
    meadow = add_bed(site, "O2", "Ängen", kind="omrade")
    member = add_member(site, "Vera Volontär", "vera@test.example")
    client = make_client(site)

    form = client.get(f"/parken/mitt/{member.token}/observation")
    assert form.status_code == 200 and "Mörk jordhumla (Bombus terrestris)" in form.text
    future = client.submit(
        f"/parken/mitt/{member.token}/observation",
        {"observed_on": "2026-08-01", "bed": str(meadow), "taxon": "apis-mellifera", "count": "3"},
    )
    assert future.status_code == 400 and "Datumet ligger i framtiden" in text_of(future.text)
    for day, taxon, count in [("2026-07-14", "apis-mellifera", "12"), ("2026-06-20", "bombus-lapidarius", "5")]:
        logged = client.submit(
            f"/parken/mitt/{member.token}/observation",
            {"observed_on": day, "bed": str(meadow), "taxon": taxon, "count": count, "notes": "Soligt"},
        )
        assert logged.status_code == 303 and logged.headers["location"] == f"/parken/mitt/{member.token}"
    assert "2 pollinatörsräkningar" in text_of(client.get(f"/parken/mitt/{member.token}").text)

    page = client.get("/parken/pollinatorer")
    assert _chart_bars(page.text) == ["juni: 5 humlor", "juli: 12 honungsbin"]
    table = text_of(page.text)
    assert "Juni 0 5 0 0 0 5" in table and "Juli 12 0 0 0 0 12" in table

    export = client.get("/parken/pollinatorer.csv?ar=2026")
    assert export.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="pollinatorer-2026.csv"' in export.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8"))))
    assert REQUIRED_DWC <= set(rows[0]) and list(rows[0]) == DWC_COLUMNS
    assert [(r["eventDate"], r["scientificName"], r["individualCount"]) for r in rows] == [
        ("2026-06-20", "Bombus lapidarius", "5"),
        ("2026-07-14", "Apis mellifera", "12"),
    ]
    first = rows[0]
    assert first["basisOfRecord"] == "HumanObservation" and first["taxonRank"] == "species"
    assert first["locality"] == "Ätbart för bi och människa, O2 Ängen"
    assert (first["decimalLatitude"], first["decimalLongitude"]) == ("59.33010", "14.55120")
    assert first["countryCode"] == "SE" and first["kingdom"] == "Animalia" and first["family"] == "Apidae"
    assert first["occurrenceID"].startswith("urn:uuid:") and rows[0]["occurrenceID"] != rows[1]["occurrenceID"]
    assert "Vera" not in export.text  # no observer names leave the site
    # occurrenceID is permanent: the same on the next export.
    again = list(csv.DictReader(io.StringIO(client.get("/parken/pollinatorer.csv").text)))
    assert [r["occurrenceID"] for r in again] == [r["occurrenceID"] for r in rows]
    assert client.get("/parken/pollinatorer.csv?ar=2025").text.strip() == ",".join(DWC_COLUMNS)


def test_staff_with_an_account_log_too_and_anonymous_visitors_cannot(make_site, make_client):
    site = odling_site(make_site)
    user = add_user(site, "personal@test.example", Role.EDITOR)
    client = make_client(site)
    assert client.get("/parken/pollinatorer/ny", follow_redirects=False).status_code == 303
    client.login("personal@test.example")
    logged = client.submit(
        "/parken/pollinatorer/ny", {"observed_on": "2026-07-10", "bed": "", "taxon": "syrphidae", "count": "4"}
    )
    assert logged.status_code == 303
    with site.session() as db:
        obs = db.exec(Observation.__table__.select()).one()
    assert obs.user_id == user.id and obs.member_id is None and obs.bed_id is None
    assert "juli: 4 blomflugor" in _chart_bars(client.get("/parken/pollinatorer?ar=2026").text)
