"""The front page: the way into the directory, Månadens förening, the latest
news and blocks that other plugins contribute through ``front_page_blocks``."""

from __future__ import annotations

import types
from datetime import UTC, datetime, timedelta

from core import hookimpl
from core.contributions import Block
from plugins.webportal.front import local_today
from plugins.webportal.models import Association, Featured, Status
from tests.conftest import text_of
from tests.test_news import add_news
from tests.webportal_fixtures import add_association


def test_front_page_has_search_intro_and_membership_link(make_site, make_client):
    site = make_site(extra='description = "Paraply för föreningslivet i Karlskoga."')
    html = make_client(site).get("/").text
    assert "<h1" in html and html.count("<h1") == 1
    assert '<form action="/foreningar" method="get" role="search"' in html
    assert '<label for="front-q">Sök förening</label>' in html and 'name="q"' in html
    assert "Paraply för föreningslivet i Karlskoga." in text_of(html)
    assert '<a href="/foreningar/ansok">Ansök om medlemskap för din förening</a>' in html
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert "Det finns inga nyheter ännu." in text_of(html)
    assert "Månadens förening" not in text_of(html)


def test_front_page_shows_featured_association_and_latest_news(site, client):
    club = add_association(site, "Karlskoga Schackklubb")
    with site.session() as db:
        db.add(
            Featured(
                month=local_today(site).replace(day=1),
                association_id=club.id,
                motivation="Klubben har lärt hundra barn att spela schack i år.",
            )
        )
        db.commit()
    start = datetime.now(UTC) - timedelta(days=10)
    for i in range(7):
        add_news(site, f"Nyhet nummer {i}", association=club if i == 6 else None, when=start + timedelta(days=i))

    html = client.get("/").text
    body = text_of(html)
    assert "Månadens förening Karlskoga Schackklubb" in body
    assert "Karlskoga Schackklubb i Karlskoga." in body
    assert "Klubben har lärt hundra barn att spela schack i år." in body
    assert '<a href="/foreningar/karlskoga-schackklubb">Läs mer om Karlskoga Schackklubb</a>' in html

    latest = body[body.index("Senaste nytt") :]
    shown = [f"Nyhet nummer {i}" for i in range(7) if f"Nyhet nummer {i}" in latest]
    assert shown == [f"Nyhet nummer {i}" for i in range(2, 7)]
    assert latest.index("Nyhet nummer 6") < latest.index("Nyhet nummer 2")


def test_featured_association_that_is_no_longer_public_is_not_shown(site, client):
    club = add_association(site, "Nedlagd Klubb")
    with site.session() as db:
        db.add(Featured(month=local_today(site).replace(day=1), association_id=club.id, motivation="Bra."))
        stored = db.get(Association, club.id)
        stored.status = Status.REJECTED
        db.add(stored)
        db.commit()
    assert "Nedlagd Klubb" not in client.get("/").text


class _BlockPlugin:
    """A tiny plugin giving two blocks, registered on the site in the test."""

    @staticmethod
    @hookimpl
    def front_page_blocks(site, request, session):
        return [
            Block("Låna utrustning", "testblock.html", {"items": ["skidor", "flytvästar"]}, order=60),
            Block("Först av blocken", "testblock.html", {"items": ["tidigt"]}, order=10),
        ]


def test_front_page_renders_blocks_from_other_plugins_in_order(site, make_client):
    templates = site.folder / "templates"
    templates.mkdir()
    (templates / "testblock.html").write_text(
        '<ul class="testblock">{% for item in ctx["items"] %}<li>{{ item }}</li>{% endfor %}</ul>'
        "<p>{{ block.title }} på {{ site.name }}</p>",
        encoding="utf-8",
    )
    plugin = types.ModuleType("testblocks")
    plugin.front_page_blocks = _BlockPlugin.front_page_blocks
    site.pm.register(plugin, name="testblocks")

    html = make_client(site).get("/").text
    body = text_of(html)
    assert "<h2" in html and '<ul class="testblock"><li>skidor</li><li>flytvästar</li></ul>' in html
    assert "Låna utrustning på Testföreningarna testsite" in body
    assert body.index("Senaste nytt") < body.index("Först av blocken") < body.index("Låna utrustning")
