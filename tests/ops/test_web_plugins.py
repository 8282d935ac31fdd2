"""Plugins turned on and off from Administration → Inställningar (issue 19,
core.web_settings): the choice is saved, the plugin's tables are made when
it is saved, the page, the admin page and /-/health say a restart is
pending, and the site started again runs it. A real site on a fresh
database of each kind, started (its lifespan runs), stopped and loaded again
from its folder as a server would."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import inspect as sa_inspect

from core.app import create_app
from core.models import Role
from core.site import Site
from core.testing import Client, add_user, make_test_site, text_of

REPO = Path(__file__).resolve().parents[2]
URL = "/-/admin/installningar"
PLUGINS = "/-/admin/installningar/tillagg"
ADMIN = "admin@test.example"


def started(site: Site) -> Client:
    client = Client(create_app(site), base_url=site.base_url)
    client.__enter__()
    client.login(ADMIN)
    return client


def test_a_plugin_turned_on_from_the_web_runs_after_the_next_start(tmp_path: Path, database_url: str) -> None:
    site = make_test_site(tmp_path, ["webportal"], database_url=database_url)
    folder, data_dir = site.folder, site.data_dir
    add_user(site, ADMIN, Role.ADMIN, "Ada Admin")

    client = started(site)
    try:
        page = text_of(client.get(URL).text)
        assert "nyhetsbrev Nyhetsbrev med prenumeration och avregistrering med ett klick. Av." in page
        assert "webportal Startsidan, medlemsföreningarna, nyheter och sidor. Kan inte stängas av" in page
        saved = client.submit(PLUGINS, {"plugin": ["webportal", "nyhetsbrev"]})
        assert saved.status_code == 303 and saved.headers["location"] == URL
        page = text_of(client.get(URL).text)
        assert "Tilläggen är sparade. De gäller efter omstart av webbplatsen." in page
        steps = len(list((REPO / "plugins" / "nyhetsbrev" / "migrations").glob("*.py")))
        assert f"Databasen är förberedd för nyhetsbrev: {steps} steg klara." in page
        assert "Gäller efter omstart." in page
        assert "Väntar på omstart av webbplatsen. Slås på: nyhetsbrev." in page
        assert "Av nu, på efter omstart." in page
        assert "Tillägg: (som i site.toml) → webportal, nyhetsbrev" in page
        assert client.get("/nyhetsbrev/").status_code == 404  # not before the restart
        health = client.get("/-/health").json()
        assert health["checks"]["restart"] == {
            "status": "warn",
            "restart_needed": True,
            "enable": ["nyhetsbrev"],
            "disable": [],
        }
        assert health["checks"]["migrations"] == {"status": "ok"}  # its tables were made when it was saved
        assert "Webbplatsen behöver startas om" in text_of(client.get("/-/admin").text)
    finally:
        client.__exit__(None, None, None)

    again = Site.load(folder, database_url=database_url, data_dir=data_dir)
    client = started(again)
    try:
        assert "nyhetsbrev" in again.enabled
        assert client.get("/nyhetsbrev/").status_code == 200
        assert client.get("/-/health").json()["checks"]["restart"] == {"status": "ok"}
        assert "Webbplatsen behöver startas om" not in text_of(client.get("/-/admin").text)
        refused = client.submit(PLUGINS, {"plugin": ["nyhetsbrev"]})
        assert refused.status_code == 400
        assert "webportal kan inte stängas av: Det visar webbplatsens startsida." in text_of(refused.text)
        assert client.submit(PLUGINS, {"plugin": ["webportal", "ingen-sadan"]}).status_code == 400
        off = client.submit(PLUGINS, {"plugin": ["webportal"]})
        assert off.status_code == 303
        assert "På nu, av efter omstart." in text_of(client.get(URL).text)
    finally:
        client.__exit__(None, None, None)

    third = Site.load(folder, database_url=database_url, data_dir=data_dir)
    try:
        assert "nyhetsbrev" not in third.enabled
        tables = sa_inspect(third.engine).get_table_names()
        assert any(name.startswith("nyhetsbrev_") for name in tables)  # turned off, its data kept
    finally:
        third.dispose()


def test_undoing_a_plugin_change_is_a_change_for_the_next_start(tmp_path: Path, database_url: str) -> None:
    site = make_test_site(tmp_path, ["webportal"], database_url=database_url)
    add_user(site, ADMIN, Role.ADMIN, "Ada Admin")
    client = started(site)
    try:
        client.submit(PLUGINS, {"plugin": ["webportal", "nyhetsbrev"]})
        assert "Slås på: nyhetsbrev." in text_of(client.get(URL).text)
        newest = re.findall(r'action="(/-/admin/installningar/\d+/angra)"', client.get(URL).text)[0]
        assert client.submit(newest).status_code == 303
        page = text_of(client.get(URL).text)
        assert "Väntar på omstart" not in page
        assert "Tillägg: webportal, nyhetsbrev → (som i site.toml)" in page
    finally:
        client.__exit__(None, None, None)


def test_only_the_plugin_that_shows_the_front_page_is_locked_for_that_reason(tmp_path: Path) -> None:
    # webportal and evenemang are both mounted at the root ("/"), but only the
    # webportal answers "/": evenemang's pages are under /evenemang and it can be switched off.
    site = make_test_site(tmp_path, ["webportal", "evenemang"])
    add_user(site, ADMIN, Role.ADMIN, "Ada Admin")
    client = started(site)
    try:
        page = text_of(client.get(URL).text)
        webportal = "webportal Startsidan, medlemsföreningarna, nyheter och sidor."
        evenemang = "evenemang Föreningarnas evenemang, anmälan och en gemensam kalender."
        assert f"{webportal} Kan inte stängas av: Det visar webbplatsens startsida." in page
        assert f"{evenemang} På." in page
        assert page.count("Det visar webbplatsens startsida.") == 1
        html = client.get(URL).text
        assert re.search(r'<input type="checkbox" name="plugin" value="evenemang"[^>]*checked aria', html)
        assert not re.search(r'<input type="checkbox" name="plugin" value="evenemang"[^>]*disabled', html)
        off = client.submit(PLUGINS, {"plugin": ["webportal"]})
        assert off.status_code == 303
        assert f"{evenemang} På nu, av efter omstart." in text_of(client.get(URL).text)
    finally:
        client.__exit__(None, None, None)


def test_without_the_webportal_no_plugin_is_locked_for_the_front_page(tmp_path: Path) -> None:
    site = make_test_site(tmp_path, ["evenemang"])
    add_user(site, ADMIN, Role.ADMIN, "Ada Admin")
    client = started(site)
    try:
        page = text_of(client.get(URL).text)
        assert "Det visar webbplatsens startsida." not in page
        assert "evenemang Föreningarnas evenemang, anmälan och en gemensam kalender. På." in page
    finally:
        client.__exit__(None, None, None)
