"""The site's one stylesheet (core.stylesheet) and the header's inline logo
(core.site_logo), issue 17: a page waits for one stylesheet before its first
paint, and has no inline style a strict Content-Security-Policy would refuse.

No database is read: the sites are loaded without migrating, and only the
log-in page (which reads no rows) is drawn."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.site import Site
from core.site_logo import inline_logo
from core.stylesheet import RECHECK_AFTER
from tests.plugins import SiteMaker

LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40" role="img" aria-label="Logotyp">'
    '<title>Logotyp</title><circle cx="20" cy="20" r="19" fill="#f2b705"/></svg>'
)
THEME = 'logo = "logo.svg"\n\n[theme]\nprimary = "#224466"\naccent = "#ffcc00"\n'


@pytest.fixture
def sites(tmp_path: Path) -> Iterator[SiteMaker]:
    maker = SiteMaker(tmp_path, f"sqlite:///{tmp_path / 'unused.db'}")
    yield maker
    maker.close()


def _site(sites: SiteMaker, logo: str = LOGO) -> Site:
    site = sites(["sample"], extra=THEME, migrate_db=False)
    (site.folder / "static").mkdir(exist_ok=True)
    (site.folder / "static" / "logo.svg").write_text(logo, encoding="utf-8")
    return site


def test_one_stylesheet_carries_the_theme_core_the_plugins_and_the_site_in_that_order(sites, make_client) -> None:
    site = _site(sites)
    (site.folder / "static" / "egen.css").write_text("/* webbplatsens egna */\n.egen-rad{margin:0}\n", "utf-8")
    site = Site.load(site.folder, database_url=site.database_url, data_dir=site.data_dir, installed=site.installed)
    client = make_client(site)
    page = client.get("/konto/logga-in")
    linked = re.findall(r'<link rel="stylesheet" href="([^"]+)">', page.text)
    assert linked == [site.stylesheet.url()] and re.fullmatch(r"/static/-/site\.[0-9a-f]{10}\.css", linked[0])
    assert "<style" not in page.text and ' style="' not in page.text

    css = client.get(linked[0]).text
    theme = css.index(":root{--primary:#224466;--accent:#ffcc00;")
    core = css.index(".card-list{")
    plugin = css.index(".sample-greeting")
    own = css.index(".egen-rad{margin:0}")
    assert theme < core < plugin < own
    # The files' own comments are left out; one line names where each part comes from.
    comments = re.findall(r"/\*.*?\*/", css, re.S)
    assert comments and all(re.fullmatch(r"/\* \w+: [\w.-]+ \*/", c) for c in comments), comments


def test_a_changed_file_gets_a_new_name_and_the_old_name_no_years_promise(sites, make_client) -> None:
    site = _site(sites)
    client = make_client(site)
    before = site.stylesheet.url()
    css = site.folder / "static" / "egen.css"
    css.write_text(".egen-rad{margin:0}\n", "utf-8")
    # A new part is found when the site is loaded; an edited part within RECHECK_AFTER.
    site = Site.load(site.folder, database_url=site.database_url, data_dir=site.data_dir, installed=site.installed)
    client = make_client(site)
    added = site.stylesheet.url()
    assert added != before
    css.write_text(".egen-rad{margin:1rem}\n", "utf-8")
    stat = css.stat()
    os.utime(css, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    time.sleep(RECHECK_AFTER + 0.1)
    edited = site.stylesheet.url()
    assert edited != added and ".egen-rad{margin:1rem}" in client.get(edited).text
    assert client.get(edited).headers["cache-control"].endswith("immutable")
    stale = client.get(added)
    assert ".egen-rad{margin:1rem}" in stale.text and "immutable" not in stale.headers["cache-control"]


def test_the_logo_is_drawn_in_the_header_as_decoration(sites, make_client) -> None:
    site = _site(sites)
    page = make_client(site).get("/konto/logga-in").text
    header = page.split('<header class="site-header">', 1)[1].split("</header>", 1)[0]
    svg = re.search(r"<svg [^>]*>.*?</svg>", header, re.S)
    assert svg and "<img" not in header
    assert 'aria-hidden="true"' in svg.group(0) and 'width="40"' in svg.group(0)
    assert "role=" not in svg.group(0) and "aria-label" not in svg.group(0) and "<title>" not in svg.group(0)
    assert '<circle cx="20" cy="20" r="19" fill="#f2b705"' in svg.group(0)


@pytest.mark.parametrize(
    "logo",
    [
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="1"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><circle r="1" style="fill:red"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><style>circle{fill:red}</style><circle r="1"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>hej</p></foreignObject></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><circle r="1" fill="url(https://elsewhere.example/x)"/></svg>',
        '<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
        "<svg><circle r='1'/></svg>",
        "inte alls en bild",
        '<svg xmlns="http://www.w3.org/2000/svg">' + "<circle r='1'/>" * 400 + "</svg>",
    ],
    ids=["script", "handler", "style-attribute", "style-element", "foreign", "outside-url", "entity", "no-ns",
         "garbage", "too-big"],
)  # fmt: skip
def test_a_logo_that_is_more_than_a_small_drawing_stays_an_img(sites, make_client, logo: str) -> None:
    site = _site(sites, logo)
    assert inline_logo(site.folder / "static" / "logo.svg") is None
    header = make_client(site).get("/konto/logga-in").text.split("</header>", 1)[0]
    assert re.search(r'<img src="/static/site/logo\.[0-9a-f]{10}\.svg" alt="" width="40" height="40">', header)
    assert "<svg" not in header.split('class="site-name"', 1)[1].split("</a>", 1)[0]


def test_a_gradient_that_refers_to_the_drawing_itself_is_fine(tmp_path: Path) -> None:
    logo = tmp_path / "logo.svg"
    logo.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><defs><linearGradient id="g">'
        '<stop offset="0" stop-color="#fff"/></linearGradient></defs>'
        '<rect width="10" height="10" fill="url(#g)"/></svg>',
        encoding="utf-8",
    )
    drawn = inline_logo(logo, size=32)
    assert drawn is not None and 'fill="url(#g)"' in drawn and 'width="32"' in drawn
