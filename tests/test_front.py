"""The front page: the way into the directory, Månadens förening, the latest
news and blocks that other plugins contribute through ``front_page_blocks``."""

from __future__ import annotations

import re
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


def test_front_page_shows_the_featured_logo_news_pictures_and_blocks_as_cards(site, make_client):
    """The network at a glance (issue 17): Månadens förening with its logo
    (the page's first picture, loaded at once), the latest news as cards
    with their pictures (lazy), and each plugin block as a card in the grid."""
    import io

    from PIL import Image

    from core.images import store_image

    def picture(colour: str, size: tuple[int, int]) -> bytes:
        out = io.BytesIO()
        Image.new("RGB", size, colour).save(out, format="PNG")
        return out.getvalue()

    logo = store_image(picture("green", (240, 240)), site.uploads_dir, "schack")
    club = add_association(site, "Karlskoga Schackklubb", logo=logo)
    with site.session() as db:
        db.add(Featured(month=local_today(site).replace(day=1), association_id=club.id, motivation="Hundra nya."))
        db.commit()
    image = store_image(picture("blue", (960, 640)), site.uploads_dir, "nyhet")
    add_news(site, "Schack i parken", image=image, image_alt="Schackbräde på en parkbänk")
    add_news(site, "Utan bild")
    templates = site.folder / "templates"
    templates.mkdir()
    (templates / "testblock.html").write_text("<p>{{ ctx['items']|join(', ') }}</p>", encoding="utf-8")
    plugin = types.ModuleType("testblocks")
    plugin.front_page_blocks = _BlockPlugin.front_page_blocks
    site.pm.register(plugin, name="testblocks")

    html = make_client(site).get("/").text
    start = html.index('<section class="card featured"')
    featured = html[start : html.index("</section>", start)]
    assert f'<img src="/uploads/{logo.removesuffix(".png")}.240.jpg"' in featured
    # The name follows: decorative. Above the fold, so not lazy; but not fetched ahead of the stylesheet either
    # (the largest paint is the text beside it, and a high-priority picture counted against it).
    assert 'width="240" height="240" alt="" decoding="async">' in featured
    news = html[html.index('id="senaste-nytt"') :]
    stem = image.removesuffix(".png")
    sizes = f"/uploads/{stem}.320.webp 320w, /uploads/{stem}.640.webp 640w, /uploads/{stem}.960.webp 960w"
    assert f'srcset="{sizes}"' in news
    assert 'width="640" height="427" alt="Schackbräde på en parkbänk" loading="lazy"' in news
    assert news.index("Schack i parken") < news.index("<picture")  # the title is read before the picture
    # The news without a picture is a card without one.
    assert re.search(r'<li class="card card-compact">\s*<h3><a href="/nyheter/\d+">Utan bild', news)
    grid = html[html.index('<div class="layout-cards">') :]
    assert grid.count('<section class="card"') == 2 and "Först av blocken" in grid and "Låna utrustning" in grid
