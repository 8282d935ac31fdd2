"""How LISA sits in the site: navigation per role, admin links, the
follow-up report, unknown pages, and the demo data's shape."""

from __future__ import annotations

import re

from sqlmodel import select

from core.demo import load_demo
from plugins.lisa.models import HealthCentre, Membership, Organisation, Service
from tests.conftest import text_of
from tests.lisa.conftest import ADMIN, NURSE, VOLUNTEER


def nav(html: str, which: str = "(?:main|tool|user)") -> list[str]:
    """The header's links: the main menu, the row of the person's own tools,
    and the account row (where a lone tool link stands, core's base.html)."""
    blocks = "".join(re.findall(rf'<nav class="{which}-nav".*?</nav>', html, re.S))
    return [text_of(a) for a in re.findall(r"<a [^>]*>(.*?)</a>", blocks)]


def test_navigation_shows_each_role_what_it_may_use(lisa_site, login):
    assert "Hitta hjälp" in nav(login(lisa_site, None).get("/").text)
    assert "Remisser" not in nav(login(lisa_site, None).get("/").text)
    nurse = nav(login(lisa_site, NURSE).get("/").text)
    assert "Remisser" in nurse and "Mina tjänster" not in nurse
    # Work links stand apart (the nurse's one in the account row), so the public menu stays as visitors see it.
    assert "Remisser" in nav(login(lisa_site, NURSE).get("/").text, "user")
    assert "Remisser" not in nav(login(lisa_site, NURSE).get("/").text, "main")
    volunteer = nav(login(lisa_site, VOLUNTEER).get("/").text)
    assert "Remisser" in volunteer and "Mina tjänster" in volunteer
    admin = login(lisa_site, ADMIN)
    assert "Remisser" not in nav(admin.get("/").text)
    overview = text_of(admin.get("/-/admin").text)
    assert "LISA – hitta rätt hjälp" in overview and "LISA: affischer och utskrifter" in overview


def test_unknown_things_answer_404_in_swedish(lisa_site, login):
    client = login(lisa_site, None)
    for path in ("/hjalp/tjanst/9999", "/hjalp/tjanst/9999/kort", "/hjalp/organisation/9999"):
        response = client.get(path)
        assert response.status_code == 404 and "finns inte" in text_of(response.text), path


def test_report_counts_services_and_referrals_but_no_people(lisa_site, login):
    admin = login(lisa_site, ADMIN)
    text = text_of(admin.get("/-/admin/uppfoljning").text)
    assert "Tjänster i LISA" in text and "Organisationer i LISA" in text and "Remisser skickade via LISA" in text


def test_demo_data_is_idempotent_and_regional(lisa_site):
    load_demo(lisa_site, echo=lambda _m: None)  # a second run
    with lisa_site.session() as db:
        services = db.exec(select(Service)).all()
        assert len(services) == 34
        assert {s.municipality for s in services} == {"Karlskoga", "Degerfors"}
        assert len(db.exec(select(Organisation)).all()) == 20
        assert {h.name for h in db.exec(select(HealthCentre)).all()} == {
            "Vårdcentralen Bofors",
            "Vårdcentralen Karlskoga Lunden",
            "Degerfors vårdcentral",
        }
        assert len(db.exec(select(Membership)).all()) == 2
        assert sum(s.accepts_referrals for s in services) >= 10
        assert any(s.status == "temporarily closed" for s in services)
