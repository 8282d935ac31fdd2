"""site.toml validation: every mistake stops the site with a message that
names the file, the key and a fix; where a site keeps its data; and the
server's refusal to start on an unmigrated database."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
import uvicorn
from click.testing import CliRunner

import core
from core.cli import cli
from core.settings import ConfigError
from core.site import Site
from tests.conftest import text_of, write_site
from tests.plugins import installed_with

REPO = Path(core.__file__).resolve().parents[1]

VALID_SITE = """
[site]
name = "Testföreningarna"
base_url = "https://test.example"
plugins = ["webportal"]
"""


def _write(tmp_path: Path, body: str, slug: str = "testsite") -> Path:
    folder = tmp_path / "sites" / slug
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "site.toml").write_text(textwrap.dedent(body), encoding="utf-8")
    return folder


def _error(tmp_path: Path, body: str, **load: object) -> ConfigError:
    """Load a site from ``body`` and return the ConfigError it must raise,
    after checking that the message names the file."""
    folder = _write(tmp_path, body)
    with pytest.raises(ConfigError) as caught:
        Site.load(folder, data_dir=tmp_path / "data", **load)  # type: ignore[arg-type]
    error = caught.value
    assert error.path == str(folder / "site.toml")
    assert str(error).startswith(f"{folder / 'site.toml'}: {error.key}: ")
    return error


def test_the_valid_example_loads(tmp_path):
    site = Site.load(_write(tmp_path, VALID_SITE), data_dir=tmp_path / "data")
    assert site.name == "Testföreningarna"
    assert site.base_url == "https://test.example"


def test_missing_site_name(tmp_path):
    error = _error(tmp_path, '[site]\nbase_url = "https://test.example"\n')
    assert error.key == "site.name"
    assert error.problem == "is missing."
    assert "Fix: add 'name = ...' to the file." in str(error)


def test_missing_site_table(tmp_path):
    error = _error(tmp_path, '[theme]\nprimary = "#1d4e89"\n')
    assert error.key == "site"
    assert "is missing" in str(error) and "Fix: add" in str(error)


@pytest.mark.parametrize("url", ["test.example", "ftp://test.example", "https://"])
def test_bad_base_url(tmp_path, url):
    error = _error(tmp_path, VALID_SITE.replace('"https://test.example"', f'"{url}"'))
    assert error.key == "site.base_url"
    assert "must be an http(s) address such as 'https://mockeln.example'" in str(error)


def test_unknown_key_is_reported_as_a_typo(tmp_path):
    error = _error(tmp_path, VALID_SITE + 'base_ulr = "https://test.example"\n')
    assert error.key == "site.base_ulr"
    assert "is not a known setting" in str(error)
    assert "Fix: check the spelling or remove it." in str(error)


def test_unknown_table_is_reported(tmp_path):
    error = _error(tmp_path, VALID_SITE + '[them]\nprimary = "#1d4e89"\n')
    assert error.key == "them"
    assert "is not a known setting" in str(error)


@pytest.mark.parametrize("colour", ["blue", "#12345", "1d4e89"])
def test_bad_colour(tmp_path, colour):
    error = _error(tmp_path, VALID_SITE + f'[theme]\naccent = "{colour}"\n')
    assert error.key == "theme.accent"
    assert f"{colour!r} is not a colour; write it as #rrggbb, e.g. '#1d4e89'" in str(error)


def test_low_contrast_primary_colour(tmp_path):
    error = _error(tmp_path, VALID_SITE + '[theme]\nprimary = "#f2b705"\n')
    assert error.key == "theme.primary"
    assert "WCAG AA needs 4.5:1" in str(error)
    assert "choose a darker colour" in str(error)


def test_low_contrast_text_colour(tmp_path):
    error = _error(tmp_path, VALID_SITE + '[theme]\ntext = "#999999"\nbackground = "#ffffff"\n')
    assert error.key == "theme.text"
    assert "choose colours further apart" in str(error)


def test_unknown_plugin_names_index_name_and_installed_ones(tmp_path, monkeypatch):
    monkeypatch.setenv("PARAPLY_NO_ENTRY_POINTS", "1")  # only the built-ins and the test plugin
    body = VALID_SITE.replace('["webportal"]', '["webportal", "webportl"]')
    error = _error(tmp_path, body, installed=installed_with("sample"))
    assert error.key == "site.plugins[1]"
    assert "there is no installed plugin called 'webportl'" in str(error)
    installed = re.search(r"Fix: check the spelling \(installed: ([^)]*)\)", str(error))
    assert installed and {"sample", "webportal"} <= set(installed.group(1).split(", "))


def test_duplicate_plugin(tmp_path):
    error = _error(tmp_path, VALID_SITE.replace('["webportal"]', '["webportal", "webportal"]'))
    assert error.key == "site.plugins"
    assert "lists 'webportal' twice; list each plugin once" in str(error)


def test_settings_for_a_plugin_that_is_not_enabled(tmp_path):
    error = _error(tmp_path, VALID_SITE.replace('["webportal"]', "[]") + "[plugin.webportal]\nper_page = 10\n")
    assert error.key == "plugin.webportal"
    assert "has settings but 'webportal' is not in site.plugins" in str(error)
    assert "Fix: add 'webportal' to site.plugins, or remove the [plugin.webportal] table." in str(error)


def test_plugin_setting_of_the_wrong_type(tmp_path):
    error = _error(tmp_path, VALID_SITE + '[plugin.webportal]\nper_page = "many"\n')
    assert error.key == "plugin.webportal.per_page"
    assert "(it is 'many')" in str(error)
    assert "Fix: write a whole number without quotes, e.g. per_page = 20." in str(error)


def test_plugin_setting_out_of_range_and_unknown(tmp_path):
    error = _error(tmp_path, VALID_SITE + "[plugin.webportal]\nper_page = 1000\n")
    assert error.key == "plugin.webportal.per_page"
    assert "less than or equal to 100" in str(error)
    error = _error(tmp_path, VALID_SITE + '[plugin.webportal]\nmunicipalitys = ["Storfors"]\n')
    assert error.key == "plugin.webportal.municipalitys"
    assert "check the spelling" in str(error)


def test_plugin_settings_come_typed_as_the_plugins_class(tmp_path):
    """``site.plugin_settings(name, cls)`` hands a plugin its own settings
    class (what its ``settings_model`` hook returned); asked for another
    class, it says which it has instead of returning the wrong one."""
    from plugins.lisa.settings import LisaSettings
    from plugins.webportal.settings import WebportalSettings

    site = Site.load(_write(tmp_path, VALID_SITE + "[plugin.webportal]\nper_page = 10\n"), data_dir=tmp_path / "d")
    settings = site.plugin_settings("webportal", WebportalSettings)
    assert isinstance(settings, WebportalSettings) and settings.per_page == 10
    assert site.plugin_settings("webportal") is settings
    with pytest.raises(TypeError, match="webportal's settings are a WebportalSettings, not a LisaSettings"):
        site.plugin_settings("webportal", LisaSettings)


def test_toml_syntax_error(tmp_path):
    error = _error(tmp_path, '[site]\nname = "Trasig\nbase_url = "https://test.example"\n')
    assert error.key == "(syntax)"
    assert "is not valid TOML" in str(error) and "line 2" in str(error)
    assert "Fix: correct the line it names." in str(error)


def test_database_url_with_a_password_is_refused_without_echoing_it(tmp_path):
    error = _error(tmp_path, VALID_SITE + '[database]\nurl = "postgresql://paraply:hemligt@db.example/paraply"\n')
    assert error.key == "database.url"
    assert "contains a password; remove it and set PARAPLY_DATABASE_URL in the environment instead" in str(error)
    assert "hemligt" not in str(error)


def test_missing_site_file_names_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.setenv("PARAPLY_SITES_DIR", str(tmp_path / "sites"))
    with pytest.raises(ConfigError) as caught:
        Site.load("finns-inte")
    assert caught.value.path == str(tmp_path / "sites" / "finns-inte" / "site.toml")
    assert "no site called 'finns-inte' was found" in str(caught.value)


def test_a_site_with_only_webportal(make_site, make_client):
    site = make_site(plugins=["webportal"])
    assert site.enabled == ["federation", "webportal"]  # federation is a default plugin: on every site
    assert {site.pm.get_name(p) for p in site.pm.get_plugins()} == {"core", "federation", "webportal"}
    assert site.prefix("webportal") == ""  # the web portal is the site root by default
    client = make_client(site)
    front = client.get("/")
    assert front.status_code == 200
    assert site.name in text_of(front.text)
    directory = client.get("/foreningar")
    assert directory.status_code == 200
    assert '<a href="/foreningar" aria-current="page">Föreningar</a>' in directory.text


def test_data_dir_defaults_under_paraply_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("PARAPLY_DATA_DIR", str(tmp_path / "data-root"))
    monkeypatch.delenv("PARAPLY_DATABASE_URL", raising=False)
    site = Site.load(_write(tmp_path, VALID_SITE))
    assert site.data_dir == tmp_path / "data-root" / "testsite"
    assert site.database_url == f"sqlite:///{tmp_path / 'data-root' / 'testsite' / 'testsite.db'}"
    assert site.data_dir.is_dir()


def test_data_dir_is_never_inside_the_source_tree(tmp_path, monkeypatch):
    monkeypatch.delenv("PARAPLY_DATA_DIR", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(REPO)  # even when started from the checkout
    shipped = Site.load(REPO / "sites" / "mockeln")
    assert shipped.data_dir == tmp_path / "home" / ".local" / "share" / "paraply" / "mockeln"
    assert not shipped.data_dir.is_relative_to(REPO)

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert Site.load(REPO / "sites" / "mockeln").data_dir == tmp_path / "xdg" / "paraply" / "mockeln"


def test_serve_refuses_an_unmigrated_database(tmp_path, database_url, monkeypatch):
    folder = write_site(tmp_path / "sites", plugins=["webportal"])
    monkeypatch.setenv("PARAPLY_DATABASE_URL", database_url)
    monkeypatch.setenv("PARAPLY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PARAPLY_SITE", "set-by-serve")  # restored afterwards
    started: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.append({"app": app, **options}))
    runner = CliRunner()

    refused = runner.invoke(cli, ["serve", "--site", str(folder)])
    assert refused.exit_code != 0
    assert "Databasen behöver migreras (core, federation, webportal)." in refused.output
    assert f"Kör: ./run migrate --site {folder}" in refused.output
    assert started == []  # refused before the server started

    migrated = runner.invoke(cli, ["migrate", "--site", str(folder)])
    assert migrated.exit_code == 0, migrated.output
    assert "Klart: core, federation, webportal är uppdaterade." in migrated.output

    served = runner.invoke(cli, ["serve", "--site", str(folder), "--port", "8123"])
    assert served.exit_code == 0, served.output
    assert [(s["app"], s["port"]) for s in started] == [("core.asgi:app", 8123)]


def test_federation_peers_are_validated(tmp_path):
    peers = '[[federation.peers]]\nname = "Kristinehamn"\nurl = "ftp://kristinehamn.example"\n'
    error = _error(tmp_path, VALID_SITE + peers)
    assert error.key == "federation.peers[0].url"
    assert "must be an http(s) address" in str(error)
    error = _error(
        tmp_path,
        VALID_SITE + '[[federation.peers]]\nname = "Storfors"\nurl = "https://storfors.example"\nadress = "x"\n',
    )
    assert error.key == "federation.peers[0].adress"


def test_federation_peers_load_with_the_allowlist(tmp_path):
    body = VALID_SITE + (
        '[federation]\npoll_interval = 60\n[[federation.peers]]\nname = "Kristinehamn"\n'
        'url = "http://127.0.0.1:8001/"\nallow_private = true\n'
    )
    site = Site.load(_write(tmp_path, body), data_dir=tmp_path / "data")
    (peer,) = site.config.federation.peers
    assert (peer.name, peer.url, peer.allow_private) == ("Kristinehamn", "http://127.0.0.1:8001", True)
    assert site.config.federation.poll_interval == 60
    assert site.config.federation.push is True
