"""How pages and files travel (issue 17, Lighthouse): text is gzipped,
images are not; static files have content-hashed names cached for a year
while their plain names still work; every site answers /favicon.ico with
an icon of its own; every page has a meta description.

The demo sites are served by real uvicorn servers (tests.browser.server),
read by httpx over TCP; the rest goes through the test client."""

from __future__ import annotations

import gzip
import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from PIL import Image

from core.assets import LONG_CACHE, SHORT_CACHE
from tests.browser.server import LiveSite, demo_site_slugs, start_demo_site
from tests.test_news import add_news
from tests.webportal_fixtures import add_association

REPO = Path(__file__).resolve().parents[1]
CORE_CSS = REPO / "core" / "static" / "paraply.css"
SITE_CSS = re.compile(r'<link rel="stylesheet" href="(/static/-/site\.([0-9a-f]{10})\.css)">')


def raw(client: httpx.Client, path: str, **headers: str) -> tuple[httpx.Response, bytes]:
    """The response and its body exactly as it came over the wire (not decoded)."""
    with client.stream("GET", path, headers=headers) as response:
        return response, b"".join(response.iter_raw())


def meta_description(html: str) -> str:
    found = re.findall(r'<meta name="description" content="([^"]*)">', html)
    assert len(found) == 1, found
    return found[0]


# -- over real HTTP, on every demo site -------------------------------------------------------------


@pytest.fixture(scope="module", params=demo_site_slugs())
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, run_tmp_path: Path
) -> Iterator[LiveSite]:
    served = start_demo_site(request.param, tmp_path_factory.mktemp(request.param), run_tmp_path / "demo-sites")
    yield served
    served.stop()


@pytest.fixture
def http(live: LiveSite) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url, timeout=20) as client:
        yield client


def test_every_site_has_an_icon_drawn_in_its_own_colours(live: LiveSite, http: httpx.Client) -> None:
    icon = http.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
    image = Image.open(io.BytesIO(icon.content))
    assert image.format == "ICO" and (32, 32) in image.info["sizes"]
    touch = http.get("/apple-touch-icon.png")
    assert touch.status_code == 200 and touch.headers["content-type"] == "image/png"
    square = Image.open(io.BytesIO(touch.content)).convert("RGB")
    assert square.size == (180, 180)
    # The corner is the site's accent colour; the canopy its primary colour.
    theme = live.site.config.theme
    assert square.getpixel((2, 2)) == _rgb(theme.accent)
    assert square.getpixel((90, 50)) == _rgb(theme.primary)
    front = http.get("/").text
    assert '<link rel="icon" href="/favicon.ico"' in front and '<link rel="apple-touch-icon"' in front
    assert meta_description(front) == live.site.config.site.description


def test_pages_and_stylesheets_are_gzipped_and_images_are_not(live: LiveSite, http: httpx.Client) -> None:
    page, body = raw(http, "/", **{"Accept-Encoding": "gzip"})
    assert page.headers["content-encoding"] == "gzip" and "accept-encoding" in page.headers["vary"].lower()
    html = gzip.decompress(body).decode()
    assert f"<title>{live.site.name}</title>" in html
    assert len(body) < len(html.encode()) / 2

    plain, plain_body = raw(http, "/", **{"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and b"<title>" in plain_body

    css_path = SITE_CSS.search(html)
    assert css_path, "the page links the site's stylesheet by its hashed name"
    css, css_body = raw(http, css_path.group(1), **{"Accept-Encoding": "gzip"})
    assert css.headers["content-encoding"] == "gzip"
    # Theme, core and plugins in one file, without comments, in under 8 KB on the wire (one round trip).
    text = gzip.decompress(css_body).decode()
    assert text.startswith(f":root{{--primary:{live.site.config.theme.primary};") and ".card-list{" in text
    assert len(css_body) < 8 * 1024 and "Paraply's design system" not in text

    # The header's logo (a small SVG) is drawn in the page: no request for it before the first paint.
    header = html.split('<header class="site-header">', 1)[1].split("</header>", 1)[0]
    assert re.search(r'<svg [^>]*aria-hidden="true"', header) and "<img" not in header

    icon, icon_body = raw(http, "/apple-touch-icon.png", **{"Accept-Encoding": "gzip"})
    assert "content-encoding" not in icon.headers and icon_body.startswith(b"\x89PNG")


# -- through the test client ----------------------------------------------------------------------------


def test_a_feed_is_gzipped_and_still_answers_304(site, client) -> None:
    for n in range(6):
        add_news(site, f"Nyhet {n}", summary="Sammanfattning " * 20, when=datetime.now(UTC) - timedelta(hours=n))
    zipped, body = raw(client, "/nyheter.atom", **{"Accept-Encoding": "gzip"})
    assert zipped.status_code == 200 and zipped.headers["content-encoding"] == "gzip"
    assert b"<feed" in gzip.decompress(body)
    plain, _ = raw(client, "/nyheter.atom", **{"Accept-Encoding": "identity"})
    # One ETag for the feed, whichever encoding carried it: a peer that kept it gets a 304.
    etag = zipped.headers["etag"]
    assert plain.headers["etag"] == etag
    for encoding in ("gzip", "identity"):
        again, again_body = raw(client, "/nyheter.atom", **{"Accept-Encoding": encoding, "If-None-Match": etag})
        assert again.status_code == 304 and again_body == b""


def test_static_files_have_hashed_names_cached_for_a_year(site, client) -> None:
    front = client.get("/")
    path, digest = SITE_CSS.search(front.text).groups()  # type: ignore[union-attr]
    hashed = client.get(path)
    assert hashed.status_code == 200 and hashed.headers["content-type"].startswith("text/css")
    assert hashed.headers["cache-control"] == LONG_CACHE == "public, max-age=31536000, immutable"
    assert client.get(path, headers={"If-None-Match": hashed.headers["etag"]}).status_code == 304
    # The site's plain and stale names get today's file without a year's promise; other names are not there.
    for name in ("site.css", "site.0123456789.css"):
        again = client.get(f"/static/-/{name}")
        assert again.content == hashed.content and again.headers["cache-control"] == SHORT_CACHE
    assert client.get("/static/-/other.css").status_code == 404

    # Core's own file keeps its hashed and plain names (old pages, links from elsewhere).
    plain = client.get("/static/core/paraply.css")
    assert plain.status_code == 200 and plain.content == CORE_CSS.read_bytes()
    assert plain.headers["cache-control"] == SHORT_CACHE
    core_digest = site.assets.hashes["core"].digest("paraply.css")
    assert client.get(f"/static/core/paraply.{core_digest}.css").headers["cache-control"] == LONG_CACHE
    # A name from before the file changed gets today's file, without a year's promise.
    stale = client.get("/static/core/paraply.0123456789.css")
    assert stale.status_code == 200 and stale.headers["cache-control"] == SHORT_CACHE
    assert client.get("/static/core/nothing.0123456789.css").status_code == 404
    assert client.get("/static/core/../core/app.py").status_code == 404

    # A plugin's stylesheet is in the site's one file, and its pages link no other (nor an inline <style>).
    news = client.get("/nyheter")
    assert re.findall(r'rel="stylesheet"', news.text) == ['rel="stylesheet"'] and "<style" not in news.text
    assert ".news-summary{" in hashed.text
    # No script at all: a deferred one cost phones about 250 ms before the first paint (issue 17's LCP).
    assert "<script" not in front.text and "<script" not in news.text


def test_uploaded_images_are_cached_for_a_year_and_not_gzipped(site, client) -> None:
    site.uploads_dir.mkdir(parents=True, exist_ok=True)
    image = io.BytesIO()
    Image.effect_noise((64, 64), 80).convert("RGB").save(image, format="PNG")
    (site.uploads_dir / "foto-0123456789abcdef.png").write_bytes(image.getvalue())
    assert len(image.getvalue()) > 2048
    response, body = raw(client, "/uploads/foto-0123456789abcdef.png", **{"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.headers["cache-control"] == LONG_CACHE
    assert "content-encoding" not in response.headers and body == image.getvalue()


def test_a_page_describes_itself_where_it_can(site, client) -> None:
    association = add_association(site, "Karlskoga Schackklubb", short_description="Schack för alla åldrar & nivåer.")
    news = add_news(site, "Vårens kurser", summary='Anmäl dig senast 1 mars: "först till kvarn".')
    assert meta_description(client.get(f"/foreningar/{association.slug}").text) == (
        "Schack för alla åldrar &amp; nivåer."
    )
    assert meta_description(client.get(f"/nyheter/{news.id}").text) == (
        "Anmäl dig senast 1 mars: &#34;först till kvarn&#34;."
    )
    # A page without its own summary says what the site is (or its name, without a description).
    fallback = site.config.site.description or site.name
    assert meta_description(client.get("/nyheter").text) == fallback
    assert meta_description(client.get("/konto/logga-in").text) == fallback


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)
