"""A signed-in person with no role (``Role.NONE``): what an account made by
network single sign-on starts as (issue 13, point 5: "the receiving site
decides which roles; none by default; an admin grants them").

On the demo site with every plugin, such a person opens every page they can
reach by following the site's links and every GET route without
parameters: nothing answers 5xx, their own pages work (password, sign-ins,
own data and its zip), the editor's and staff's tools are not offered, and
the editor's pages refuse politely. An admin grants a role from the user
page, and the person then has it."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urlsplit

from sqlmodel import select

from core.app import create_app
from core.demo import load_demo
from core.models import Role, User
from tests.browser.pages import get_routes, local_links
from tests.conftest import DEFAULT_WEBPORTAL, add_user, text_of
from tests.fritidsbanken.conftest import FB_SETTINGS
from tests.odling_fixtures import ODLING

PLUGINS = ["webportal", "lisa", "fritidsbanken", "odling", "evenemang"]
NOBODY = "ingen.roll@test.example"
#: Tool links that belong to a role or a staff post, never to a role-less person.
TOOLS = ("Mina föreningar", "Disken", "Samordning", "Remisser", "Mina tjänster", "Administration")
MAX_PAGES = 250


def _tools(html: str) -> list[str]:
    found = re.search(r'<nav class="tool-nav"[^>]*>(.*?)</nav>', html, re.S)
    return re.findall(r">([^<]+)</a>", found.group(1)) if found else []


def test_a_person_with_no_role_reaches_every_page_without_an_error_and_sees_no_editor_tools(make_site, make_client):
    site = make_site(
        plugins=PLUGINS,
        plugin_settings={"webportal": DEFAULT_WEBPORTAL, "fritidsbanken": FB_SETTINGS, "odling": ODLING},
    )
    load_demo(site, echo=lambda _: None)
    admin = add_user(site, "admin@test.example", Role.ADMIN, "Ada Admin")
    nobody = add_user(site, NOBODY, Role.NONE, "Nora Nätverk")
    person = make_client(site)
    assert person.login(NOBODY).status_code == 303

    # Own pages work.
    for path in ("/konto/losenord", "/konto/inloggningar", "/konto/mina-uppgifter"):
        page = person.get(path)
        assert page.status_code == 200, path
        assert "Nora Nätverk" in page.text
    archive = person.get("/konto/mina-uppgifter.zip")
    assert archive.status_code == 200 and archive.content[:2] == b"PK"

    # Every page reachable: links from the front page on, and every GET route without parameters.
    app = create_app(site)
    start = [r.path for r in get_routes(app.routes) if not r.has_params]
    queue, seen, statuses = deque(["/", *start]), set(), {}
    while queue and len(seen) < MAX_PAGES:
        path = queue.popleft()
        if path in seen or "/logga-ut" in path or path.startswith("/static"):
            continue
        seen.add(path)
        response = person.get(path)
        statuses[path] = response.status_code
        assert response.status_code < 500, f"{path} answered {response.status_code} to a person with no role"
        if "text/html" in response.headers.get("content-type", ""):
            offered = [t for t in _tools(response.text) if t.strip() in TOOLS]
            assert not offered, f"{path} offers {offered} to a person with no role"
            queue.extend(link for link in local_links(response.text) if urlsplit(link).path not in seen)
    assert len(seen) > 40, f"the walk reached only {len(seen)} pages"
    assert person.get("/").status_code == 200

    # The editor's and the admin's pages refuse, with a page that says so.
    for path in ("/-/admin", "/-/admin/anvandare", "/nyheter/ny"):
        refused = person.get(path)
        assert refused.status_code == 403, (path, refused.status_code)
        assert "Ett oväntat fel" not in text_of(refused.text)

    # An admin grants a role.
    admin_browser = make_client(site)
    admin_browser.login(admin.email)
    assert "Ingen roll" in text_of(admin_browser.get("/-/admin/anvandare").text)
    granted = admin_browser.submit(
        f"/-/admin/anvandare/{nobody.id}",
        {"name": "Nora Nätverk", "email": NOBODY, "role": "editor", "is_active": "y"},
    )
    assert granted.status_code == 303
    with site.session() as db:
        assert db.exec(select(User).where(User.email == NOBODY)).one().role == Role.EDITOR
