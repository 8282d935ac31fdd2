"""Each demo site has an accessibility statement, linked from every page's
footer, with the structure DIGG asks for (the headings of DIGG's template, a
conformance level, a way to report problems, the link to DIGG's complaint
form, how the site was tested and when), and the admin can edit it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from core import migrate
from core.app import create_app
from core.demo import DEMO_PASSWORD, demo_accounts, load_demo
from core.models import Role
from core.site import Site
from tests.browser.server import SITES, demo_site_slugs
from tests.conftest import Client, text_of

#: The headings of DIGG's template for a website's accessibility statement, in its order.
DIGG_HEADINGS = [
    "Hur tillgänglig är webbplatsen?",
    "Vad kan du göra om du inte kan använda delar av webbplatsen?",
    "Rapportera brister i webbplatsens tillgänglighet",
    "Tillsyn",
    "Teknisk information om webbplatsens tillgänglighet",
    "Innehåll som inte är tillgängligt",
    "Bristande förenlighet med lagkraven",
    "Oskäligt betungande anpassning",
    "Innehåll som inte omfattas av lagkraven",
    "Hur vi testat webbplatsen",
]
MONTHS = "januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december"


@pytest.fixture(params=demo_site_slugs())
def demo(request: pytest.FixtureRequest, tmp_path: Path) -> TestClient:
    site = Site.load(SITES / request.param, database_url=f"sqlite:///{tmp_path / 'site.db'}", data_dir=tmp_path)
    migrate.upgrade(site)
    load_demo(site, echo=lambda _msg: None)
    client = Client(create_app(site), base_url="http://testserver")
    client.__enter__()
    client.site = site  # type: ignore[attr-defined]
    yield client
    client.__exit__(None, None, None)
    site.dispose()


def statement_url(client: TestClient) -> str:
    footer = client.get("/").text.split('<footer class="site-footer">', 1)[1]
    links = dict((label.strip(), href) for href, label in re.findall(r'<a href="([^"]+)">([^<]+)</a>', footer))
    assert "Tillgänglighetsredogörelse" in links, f"no statement link in the footer: {links}"
    return links["Tillgänglighetsredogörelse"]


def test_statement_follows_diggs_structure(demo: TestClient) -> None:
    page = demo.get(statement_url(demo))
    assert page.status_code == 200
    headings = [text_of(h) for h in re.findall(r"<h[23][^>]*>(.*?)</h[23]>", page.text, re.S)]
    positions = [headings.index(h) if h in headings else -1 for h in DIGG_HEADINGS]
    assert -1 not in positions, (
        f"missing DIGG headings: {[h for h, p in zip(DIGG_HEADINGS, positions, strict=True) if p < 0]}"
    )
    assert positions == sorted(positions), f"DIGG's headings are out of order: {headings}"
    text = text_of(page.text)
    assert re.search(r"\b(helt|delvis|inte) förenlig\b", text), "no conformance level (helt/delvis/inte förenlig)"
    assert 'href="https://www.digg.se/tdosanmalan"' in page.text, "no link to DIGG's complaint form"
    assert 'href="mailto:' in page.text, "no way to report a problem"
    assert re.search(rf"bedömningen gjordes den \d+ ({MONTHS}) \d{{4}}", text), "no date of the assessment"
    assert re.search(rf"uppdaterades senast den \d+ ({MONTHS}) \d{{4}}", text), "no date of the last update"
    assert demo.site.name in text  # type: ignore[attr-defined]


def test_admin_can_edit_the_statement(demo: TestClient) -> None:
    url = statement_url(demo)
    email = next(e for e, _n, role in demo_accounts(demo.site) if role == Role.ADMIN)  # type: ignore[attr-defined]
    demo.login(email, DEMO_PASSWORD)  # type: ignore[attr-defined]
    admin_list = demo.get("/admin/sidor").text
    edit = re.search(r'<a href="(/admin/sidor/\d+)"[^>]*>[^<]*Tillgänglighetsredogörelse', admin_list)
    assert edit, "the statement is not in the admin's page list"
    form = demo.get(edit.group(1)).text
    body = re.search(r'<textarea[^>]*name="body"[^>]*>(.*?)</textarea>', form, re.S)
    assert body
    from html import unescape

    new_body = unescape(body.group(1)).replace(
        "## Hur vi testat webbplatsen", "## Hur vi testat webbplatsen\n\nVi testade också med Talkback."
    )
    response = demo.submit(  # type: ignore[attr-defined]
        edit.group(1),
        {
            "title": "Tillgänglighetsredogörelse",
            "slug": url.rsplit("/", 1)[-1],
            "body": new_body,
            "in_footer": "y",
            "nav_order": "90",
        },
    )
    assert response.status_code == 303, response.text[:400]
    assert "Vi testade också med Talkback." in text_of(demo.get(url).text)
