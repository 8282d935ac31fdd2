"""Finding plugins, blocking the ones a site does not enable, and the order
rules: plugin order in site.toml decides list order and which template wins;
templates resolve site, then plugin, then core."""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

import pytest
from jinja2 import TemplateNotFound
from sqlalchemy import inspect

import core
from core.models import Role
from core.plugins import discover
from core.settings import ConfigError
from core.site import Site
from tests.conftest import add_user, text_of
from tests.plugins import SiteMaker, install_distribution

REPO = Path(core.__file__).resolve().parents[1]

EXTRA_HOOKS = '''
"""A third-party plugin, installed as a distribution with an entry point."""
from starlette.routing import Route

from core import hookimpl
from core.contributions import NavItem


async def page(request):
    return request.app.state.site.render(request, "extra/page.html")


@hookimpl
def routes(site):
    return [Route("/", page, name="index")]


@hookimpl
def nav_items(site, request):
    return [NavItem("Extrasidan", site.prefix("extra") + "/", order=70)]
'''

EXTRA_PAGE = """\
{% extends "base.html" %}
{% block title %}Extrasidan{% endblock %}
{% block content %}<h1>Extrasidan</h1><p>Från ett installerat paket.</p>{% endblock %}
"""


@pytest.fixture
def extra_distribution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A distribution ``paraply-extra`` 1.0 on ``sys.path`` whose package
    ``paraply_extra`` is the plugin ``extra`` (entry-point group
    ``paraply.plugins``), found by importlib.metadata like any pip install."""
    root = tmp_path / "site-packages"
    package = root / "paraply_extra"
    (package / "templates" / "extra").mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "hooks.py").write_text(EXTRA_HOOKS, encoding="utf-8")
    (package / "templates" / "extra" / "page.html").write_text(EXTRA_PAGE, encoding="utf-8")
    install_distribution(root, "paraply-extra", "1.0", {"extra": "paraply_extra.hooks"})
    monkeypatch.syspath_prepend(str(root))
    monkeypatch.delenv("PARAPLY_NO_ENTRY_POINTS", raising=False)
    yield package
    for name in [m for m in sys.modules if m == "paraply_extra" or m.startswith("paraply_extra.")]:
        del sys.modules[name]


@pytest.fixture
def sites(tmp_path: Path, database_url: str):
    maker = SiteMaker(tmp_path, database_url)
    yield maker
    maker.close()


@pytest.fixture
def offline_sites(tmp_path: Path):
    """Sites serving only pages that read no rows, so no database is needed."""
    maker = SiteMaker(tmp_path, f"sqlite:///{tmp_path / 'unused.db'}")
    yield maker
    maker.close()


def _nav_text(html: str) -> str:
    nav = re.search(r'<nav class="main-nav".*?</nav>', html, flags=re.S)
    assert nav, "the page has no main navigation"
    return text_of(nav.group(0))


def _table_rows(html: str) -> list[str]:
    return [text_of(row) for row in re.findall(r"<tr>.*?</tr>", html, flags=re.S)]


def test_built_in_plugins_are_discovered(monkeypatch):
    monkeypatch.setenv("PARAPLY_NO_ENTRY_POINTS", "1")
    info = discover()["webportal"]
    assert (info.source, info.version, info.module_path) == ("built-in", core.__version__, "plugins.webportal.hooks")
    assert info.templates_dir == REPO / "plugins" / "webportal" / "templates"
    assert info.migrations_dir == REPO / "plugins" / "webportal" / "migrations"


def test_a_third_party_plugin_is_discovered_through_its_entry_point(extra_distribution):
    info = discover()["extra"]
    assert (info.source, info.version, info.module_path) == ("paraply-extra", "1.0", "paraply_extra.hooks")
    assert info.templates_dir == extra_distribution / "templates"
    assert info.migrations_dir is None


def test_a_third_party_plugin_is_listed_and_served_only_when_enabled(extra_distribution, offline_sites, make_client):
    site = offline_sites(["extra"], installed=discover(), migrate_db=False)
    client = make_client(site)
    listing = client.get("/-/plugins.json").json()
    rows = {row["name"]: row for row in listing["plugins"]}
    assert list(rows) == ["core", "federation", "extra"]  # the default plugin, then the site's list
    assert (rows["federation"]["source"], rows["federation"]["prefix"]) == ("built-in", "/")
    assert rows["extra"]["version"] == "1.0" and rows["extra"]["source"] == "paraply-extra"
    assert rows["extra"]["prefix"] == "/extra"
    assert rows["extra"]["hooks"] == ["nav_items", "routes"]
    assert "extra" not in listing["installed_not_enabled"]
    assert "extra 1.0 paraply-extra /extra nav_items, routes" in _table_rows(client.get("/-/plugins").text)
    page = client.get("/extra/")
    assert page.status_code == 200
    assert "Extrasidan Från ett installerat paket." in text_of(page.text)
    assert "Extrasidan" in _nav_text(page.text)

    off = offline_sites([], installed=discover(), slug="off", migrate_db=False)
    off_client = make_client(off)
    listing = off_client.get("/-/plugins.json").json()
    assert [row["name"] for row in listing["plugins"]] == ["core", "federation"]  # on every site
    assert "extra" in listing["installed_not_enabled"]
    assert not any(row.startswith("extra") for row in _table_rows(off_client.get("/-/plugins").text))
    assert off_client.get("/extra/").status_code == 404
    assert "Extrasidan" not in _nav_text(off_client.get("/konto/logga-in").text)


def test_no_entry_points_switch_hides_third_party_plugins(extra_distribution, offline_sites, monkeypatch):
    assert "extra" in discover()
    monkeypatch.setenv("PARAPLY_NO_ENTRY_POINTS", "1")
    assert "extra" not in discover() and "webportal" in discover()
    with pytest.raises(ConfigError) as caught:
        offline_sites(["extra"], installed=discover(), migrate_db=False)
    assert caught.value.key == "site.plugins[0]"
    assert "no installed plugin called 'extra'" in str(caught.value)


def test_an_installed_plugin_that_is_not_enabled_is_blocked(sites, make_client):
    site = sites(["other"])  # sample and webportal are installed, but not listed
    assert site.pm.is_blocked("sample") and "sample" in site.installed
    assert site.pm.is_blocked("webportal")
    # Called last first: federation (a default plugin, trylast), other, core.
    assert [impl.plugin_name for impl in site.pm.hook.nav_items.get_hookimpls()] == ["federation", "other", "core"]

    tables = set(inspect(site.engine).get_table_names())
    assert "core_user" in tables
    assert not any(t.startswith(("sample_", "webportal_")) for t in tables)

    add_user(site, "ada@test.example", Role.ADMIN)
    client = make_client(site)
    assert client.get("/sample/").status_code == 404
    assert client.get("/sample/delad").status_code == 404
    assert client.get("/static/sample/sample.css").status_code == 404
    assert ".sample-greeting" not in client.get(site.stylesheet.url()).text  # nor in the site's one stylesheet
    assert client.get("/foreningar").status_code == 404
    assert client.get("/").status_code == 404
    env = site.templates.env
    blocked_templates = ["sample:sample/page.html", "sample/page.html", "sample/block.html"]
    for name in [*blocked_templates, "webportal:webportal/front.html", "webportal/front.html"]:
        with pytest.raises(TemplateNotFound):
            env.get_template(name)
    # The one shared name resolves to the enabled plugin's file, never sample's.
    shared = Path(env.get_template("shared/hello.html").filename or "")
    assert shared == REPO / "tests" / "plugins" / "other" / "templates" / "shared" / "hello.html"

    nav = _nav_text(client.get("/konto/logga-in").text)
    assert "Andra sidan" in nav and "Provsidan" not in nav and "Föreningar" not in nav
    client.login("ada@test.example")
    admin = text_of(client.get("/-/admin").text)
    assert "Användare" in admin and "Provtillägget" not in admin
    search = text_of(client.get("/sok", params={"q": "demosak"}).text)
    assert "Inga träffar för ”demosak”" in search


def test_an_enabled_plugin_serves_its_static_files(offline_sites, make_client):
    site = offline_sites(["sample"], migrate_db=False)
    client = make_client(site)
    css = client.get("/static/sample/sample.css")
    assert css.status_code == 200
    assert ".sample-greeting" in css.text
    # Its stylesheet is part of the site's one stylesheet, which every page links (core.stylesheet).
    page = client.get("/konto/logga-in")
    linked = re.findall(r'<link rel="stylesheet" href="([^"]+)">', page.text)
    assert linked == [site.stylesheet.url()] and ".sample-greeting" in client.get(linked[0]).text


@pytest.mark.parametrize(
    ("order", "template_from"),
    [(["sample", "other"], "sample"), (["other", "sample"], "other")],
)
def test_the_first_listed_plugin_wins_the_template_and_comes_first(offline_sites, make_client, order, template_from):
    site = offline_sites(order, migrate_db=False)
    page = make_client(site).get("/sample/delad")
    assert page.status_code == 200
    assert f"Mallen kommer från {template_from}." in text_of(page.text)
    nav = _nav_text(page.text)
    labels = {"sample": "Provsidan", "other": "Andra sidan"}
    # Both items have order=60, so only the plugin order separates them.
    assert nav.index(labels[order[0]]) < nav.index(labels[order[1]])


def test_templates_resolve_site_then_plugin_then_core(offline_sites, make_client):
    bare = offline_sites([], migrate_db=False, slug="bare")
    core_only = text_of(make_client(bare).get("/finns-inte").text)
    assert "Sidan finns inte" in core_only and "Felsidan kommer från tillägget other." not in core_only

    # A plugin overrides core's error page, extending it by its prefix.
    site = offline_sites(["other"], migrate_db=False)
    templates = site.folder / "templates"
    templates.mkdir()
    (templates / "base.html").write_text(
        textwrap.dedent(
            """\
            {% extends "core:base.html" %}
            {% block footer %}<p>Sidfot från webbplatsen.</p>{{ super() }}{% endblock %}
            """
        ),
        encoding="utf-8",
    )
    page = make_client(site).get("/finns-inte")
    assert page.status_code == 404
    body = text_of(page.text)
    assert "Sidan finns inte" in body  # core's error.html, via other's {% extends "core:error.html" %}
    assert "Felsidan kommer från tillägget other." in body  # plugin over core
    assert "Sidfot från webbplatsen." in body and site.name in body  # site over core, core's base kept
    assert re.search(r'href="/static/-/site\.[0-9a-f]{10}\.css"', page.text)  # the site's stylesheet, hashed

    # The site overrides the plugin's template of the same name.
    (templates / "error.html").write_text(
        '{% extends "core:error.html" %}{% block content %}<h1>Hoppsan</h1><p>Webbplatsens felsida.</p>{% endblock %}',
        encoding="utf-8",
    )
    reloaded = Site.load(site.folder, database_url="sqlite://", data_dir=site.data_dir, installed=site.installed)
    body = text_of(make_client(reloaded).get("/finns-inte").text)
    assert "Webbplatsens felsida." in body
    assert "Felsidan kommer från tillägget other." not in body
    assert "Sidfot från webbplatsen." in body
