"""The Möckeln demo content: idempotent, complete enough to show every
feature, and visible through the site the way a visitor meets it."""

from __future__ import annotations

import csv
import json
from datetime import timedelta
from pathlib import Path

from sqlmodel import select

from core.demo import DEMO_PASSWORD, demo_accounts, load_demo
from core.models import Role, utcnow
from plugins.webportal.front import local_today
from plugins.webportal.models import Association, AssociationEditor, Featured, News, Page, Status, Visibility
from plugins.webportal.settings import DEFAULT_CATEGORIES
from tests.conftest import text_of

DATA = Path(__file__).parent.parent / "plugins" / "webportal" / "data"


def _snapshot(site) -> dict[str, list[tuple]]:  # type: ignore[no-untyped-def]
    with site.session() as db:
        return {
            "associations": sorted(
                (a.slug, a.name, a.status, a.visibility, a.search_text) for a in db.exec(select(Association))
            ),
            "news": sorted((n.title, n.association_id, n.published_at) for n in db.exec(select(News))),
            "pages": sorted((p.slug, p.title, p.in_nav, p.in_footer) for p in db.exec(select(Page))),
            "featured": sorted((f.month, f.association_id) for f in db.exec(select(Featured))),
            "editors": sorted((e.association_id, e.user_id) for e in db.exec(select(AssociationEditor))),
        }


def test_demo_data_loads_twice_with_identical_rows(site):
    load_demo(site, echo=lambda _: None)
    first = _snapshot(site)
    load_demo(site, echo=lambda _: None)
    assert _snapshot(site) == first

    with (DATA / "associations.csv").open(encoding="utf-8") as fh:
        in_register = len(list(csv.DictReader(fh, delimiter=";")))
    applications = len(json.loads((DATA / "demo.json").read_text(encoding="utf-8"))["applications"])
    assert in_register == 40
    assert len(first["associations"]) == in_register + applications
    assert len(first["news"]) == 15
    assert {slug for slug, *_ in first["pages"]} == {
        "om-oss",
        "medlemstjanster",
        "kontakt",
        "tillganglighetsredogorelse",
    }
    assert len(first["featured"]) == 1 and len(first["editors"]) == 2


def test_demo_associations_cover_every_category_both_towns_and_each_status(site):
    load_demo(site, echo=lambda _: None)
    with site.session() as db:
        rows = list(db.exec(select(Association)))
    public = [a for a in rows if a.is_public]
    assert {a.category for a in public} == set(DEFAULT_CATEGORIES)
    assert {a.municipality for a in public} == {"Karlskoga", "Degerfors"}
    assert sum(a.municipality == "Degerfors" for a in public) >= 10
    pending = [a for a in rows if a.status == Status.PENDING]
    assert len(pending) == 3 and all(a.applicant_email for a in pending)
    hidden = [a for a in rows if a.visibility == Visibility.HIDDEN]
    assert [a.name for a in hidden] == ["Degerfors Frimärksklubb"]
    for a in public:
        assert a.short_description and a.description and a.activities and a.founded_year
        assert a.website.startswith("https://") and a.website.endswith(".example")
        assert a.email.endswith(".example") and a.phone.startswith("0586-") and a.address
        assert a.search_text.strip()


def test_demo_news_is_recent_and_partly_about_associations(site):
    load_demo(site, echo=lambda _: None)
    now = utcnow()
    with site.session() as db:
        news = list(db.exec(select(News).order_by(News.published_at.desc())))  # type: ignore[attr-defined]
    assert all(n.published and n.published_at < now and n.search_text.strip() for n in news)
    assert now - news[0].published_at < timedelta(days=21)
    assert now - news[-1].published_at > timedelta(days=90)
    assert sum(n.association_id is not None for n in news) >= 5
    titles = " ".join(n.title + " " + n.body for n in news)
    for happening in ("föreningsstämma", "föreningsbidrag", "Möckelndagen", "Styrelseutbildning", "Månadens förening"):
        assert happening in titles


def test_demo_site_shows_featured_news_pages_and_search(site, client):
    load_demo(site, echo=lambda _: None)
    with site.session() as db:
        featured = db.exec(select(Featured)).one()
    assert featured.month == local_today(site).replace(day=1)

    front = text_of(client.get("/").text)
    assert "Scoutkåren Möckeln" in front
    assert "Månadens förening: Scoutkåren Möckeln" in front  # the newest news item

    found = text_of(client.get("/foreningar", params={"q": "körsång"}).text)
    assert "Karlskoga Kammarkör" in found
    assert "Degerfors Frimärksklubb" not in text_of(client.get("/foreningar", params={"q": "frimärken"}).text)
    assert "Karlskoga Padelklubb" not in text_of(client.get("/foreningar", params={"q": "padel"}).text)

    footer = client.get("/").text.split('<footer class="site-footer">', 1)[1]
    assert '<a href="/sida/tillganglighetsredogorelse">Tillgänglighetsredogörelse</a>' in footer
    assert '<a href="/sida/kontakt">Kontakt</a>' in footer

    page = client.get("/sida/tillganglighetsredogorelse")
    assert page.status_code == 200
    statement = text_of(page.text)
    for part in ("Vad redogörelsen gäller", "delvis förenlig", "Innehåll som inte är tillgängligt", "Tillsyn", "Digg"):
        assert part in statement
    assert 'href="https://www.digg.se/tdosanmalan"' in page.text
    assert "Hur vi testat webbplatsen" in statement and "Senaste bedömningen gjordes den" in statement
    assert f"Redogörelsen gäller webbplatsen {site.base_url}" in statement
    assert "$" not in statement  # every placeholder filled in

    about = text_of(client.get("/sida/om-oss").text)
    assert f"{site.name} är paraplyorganisationen" in about


def test_demo_editor_may_edit_their_two_associations(site, client):
    load_demo(site, echo=lambda _: None)
    editor_email = next(email for email, _, role in demo_accounts(site) if role == Role.EDITOR)
    client.login(editor_email, DEMO_PASSWORD)
    mine = text_of(client.get("/mina-foreningar").text)
    assert "Karlskoga Simklubb" in mine and "Degerfors Hembygdsförening" in mine
    assert client.get("/foreningar/karlskoga-simklubb/redigera").status_code == 200
    assert client.get("/foreningar/pro-karlskoga/redigera").status_code == 403
