"""The ``paraply`` command line through click's CliRunner, against real
databases: commands load the site by its folder and find the database in
``PARAPLY_DATABASE_URL``, set here to the parametrised test database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, inspect
from sqlmodel import func, select
from starlette.testclient import TestClient

import core.cli as cli_module
from core.accounts import get_user_by_email
from core.app import create_app
from core.db import normalise_url
from core.models import Role, User
from core.site import Site
from plugins.webportal.models import Association, News, Page
from tests.conftest import text_of, write_site


@pytest.fixture
def paraply(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str):  # type: ignore[no-untyped-def]
    """Run a ``paraply`` command (plugin commands included) on the
    parametrised database; data and site folders live in ``tmp_path``."""
    monkeypatch.setenv("PARAPLY_DATABASE_URL", database_url)
    monkeypatch.setenv("PARAPLY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PARAPLY_SITES_DIR", str(tmp_path / "sites"))
    # Registering adds to the global command group: restore it afterwards.
    monkeypatch.setattr(cli_module.cli, "commands", dict(cli_module.cli.commands))
    cli_module._register_plugin_commands()
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        return runner.invoke(cli_module.cli, [str(a) for a in args], input=input, catch_exceptions=False)

    return invoke


def _tables(database_url: str) -> set[str]:
    engine = create_engine(normalise_url(database_url))
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


# -- new-site ---------------------------------------------------------------------------


def test_new_site_scaffolds_a_site_that_serves_at_once(paraply, tmp_path, database_url):
    result = paraply("new-site", "kristinehamn")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "sites" / "kristinehamn"
    assert f"Webbplatsen kristinehamn är skapad i {folder}" in result.output
    for step in ("migrate", "create-admin", "serve"):
        assert f"./run {step} --site kristinehamn" in result.output

    toml = (folder / "site.toml").read_text(encoding="utf-8")
    assert 'name = "Kristinehamn"' in toml
    assert 'base_url = "http://127.0.0.1:8000"' in toml
    # Every setting is explained by a comment on the line above it.
    lines = toml.splitlines()
    settings = [i for i, line in enumerate(lines) if " = " in line and not line.startswith("#")]
    assert settings and all(lines[i - 1].startswith("#") for i in settings)
    assert "override" in (folder / "templates" / "README.md").read_text(encoding="utf-8")

    migrated = paraply("migrate", "--site", "kristinehamn")
    assert migrated.exit_code == 0, migrated.output
    site = Site.load(folder, database_url=database_url, data_dir=tmp_path / "data" / "kristinehamn")
    assert site.plugin_settings("webportal").municipalities == ["Kristinehamn"]
    try:
        with TestClient(create_app(site), base_url=site.base_url) as client:
            front = client.get("/")
            logo = client.get("/static/site/logo.svg")
    finally:
        site.dispose()
    assert front.status_code == 200
    assert "Kristinehamn" in text_of(front.text)
    assert logo.status_code == 200
    assert 'aria-label="Kristinehamns logotyp"' in logo.text


def test_new_site_takes_title_address_plugins_and_folder(paraply, tmp_path):
    elsewhere = tmp_path / "andra-sajter"
    result = paraply(
        "new-site",
        "storfors",
        "--title",
        'Storfors "Föreningsråd"',
        "--base-url",
        "https://storfors.example",
        "--plugins",
        "webportal",
        "--municipalities",
        "Storfors, Kristinehamn",
        "--sites-dir",
        elsewhere,
    )
    assert result.exit_code == 0, result.output
    site = Site.load(elsewhere / "storfors")
    assert site.name == 'Storfors "Föreningsråd"'
    assert site.base_url == "https://storfors.example"
    assert site.enabled == ["federation", "webportal"]  # federation is on every site
    assert site.plugin_settings("webportal").municipalities == ["Storfors", "Kristinehamn"]
    # Outside the default sites folder the next steps name the path.
    assert f"./run migrate --site {elsewhere / 'storfors'}" in result.output


def test_new_site_refuses_an_existing_folder_and_an_invalid_name(paraply, tmp_path):
    assert paraply("new-site", "degerfors").exit_code == 0
    before = (tmp_path / "sites" / "degerfors" / "site.toml").read_text(encoding="utf-8")

    again = paraply("new-site", "degerfors", "--title", "Något annat")
    assert again.exit_code == 1
    assert "Mappen" in again.output and "finns redan" in again.output
    assert "already exists" in again.output
    assert (tmp_path / "sites" / "degerfors" / "site.toml").read_text(encoding="utf-8") == before

    for bad in ("Degerfors", "1site", "a", "site_två"):
        result = paraply("new-site", bad)
        assert result.exit_code == 1, bad
        assert f"Namnet ”{bad}” går inte att använda" in result.output
        assert "not a valid site name" in result.output
        assert not (tmp_path / "sites" / bad).exists()


def test_new_site_with_an_unknown_plugin_leaves_no_folder(paraply, tmp_path):
    result = paraply("new-site", "filipstad", "--plugins", "webportal,webportl")
    assert result.exit_code == 1
    assert "Webbplatsen skapades inte" in result.output
    assert "there is no installed plugin called 'webportl'" in result.output
    assert not (tmp_path / "sites" / "filipstad").exists()


# -- core commands on a real database ---------------------------------------------------------


def test_migrate_creates_core_and_plugin_tables(paraply, tmp_path, database_url):
    folder = write_site(tmp_path / "sites", "karlskoga")
    assert "webportal_association" not in _tables(database_url)
    result = paraply("migrate", "--site", folder)
    assert result.exit_code == 0, result.output
    assert "Klart: core, federation, webportal är uppdaterade." in result.output
    assert {"core_user", "webportal_association", "webportal_news"} <= _tables(database_url)


def test_plugins_lists_what_the_site_enables(paraply, site):
    result = paraply("plugins", "--site", site.folder)
    assert result.exit_code == 0, result.output
    assert any(line.startswith("på ") and "webportal" in line for line in result.output.splitlines())
    rows = json.loads(paraply("plugins", "--site", site.folder, "--json").output)
    assert {"name": "webportal", "enabled": True}.items() <= next(r for r in rows if r["name"] == "webportal").items()


def test_create_admin_with_options(paraply, site):
    args = ["create-admin", "--site", site.folder, "--email", "Ada@Mockeln.example", "--name", "Ada Lind"]
    result = paraply(*args, "--password", "ett-långt-lösenord-42")
    assert result.exit_code == 0, result.output
    assert "Administratören Ada@Mockeln.example är skapad" in result.output
    with site.session() as db:
        user = get_user_by_email(db, "ada@mockeln.example")
        assert user is not None and user.role == Role.ADMIN and user.name == "Ada Lind"

    again = paraply(*args, "--password", "ett-långt-lösenord-42")
    assert again.exit_code == 1
    assert "Det finns redan ett konto för Ada@Mockeln.example." in again.output

    weak = paraply(
        "create-admin", "--site", site.folder, "--email", "bo@x.example", "--name", "Bo", "--password", "kort"
    )
    assert weak.exit_code == 1
    with site.session() as db:
        assert db.exec(select(func.count()).select_from(User)).one() == 1


def test_demo_data_loads_once_however_often_it_runs(paraply, site):
    def counts() -> tuple[int, int, int]:
        with site.session() as db:
            return (
                db.exec(select(func.count()).select_from(Association)).one(),
                db.exec(select(func.count()).select_from(News)).one(),
                db.exec(select(func.count()).select_from(Page)).one(),
            )

    first = paraply("demo-data", "--site", site.folder)
    assert first.exit_code == 0, first.output
    assert "Demodata är inläst." in first.output
    loaded = counts()
    assert paraply("demo-data", "--site", site.folder).exit_code == 0
    assert counts() == loaded
    associations, news, pages = loaded
    assert 40 <= associations <= 45 and news == 15 and pages >= 4


def test_import_members_is_a_plugin_command(paraply, site, tmp_path):
    assert "import-members" in paraply("--help").output
    csv_file = tmp_path / "medlemmar.csv"
    csv_file.write_text("namn;kategori;kommun\nKarlskoga Schacksällskap;Intresse och hobby;Karlskoga\n", "utf-8")
    result = paraply("import-members", "--site", site.folder, csv_file)
    assert result.exit_code == 0, result.output
    assert "Klart: 1 ny, 0 uppdaterade, 0 avvisade." in result.output


def test_daily_runs_the_days_jobs_once(paraply, tmp_path, database_url):
    """``paraply daily`` (for a site served with PARAPLY_DAILY_JOBS=0, from
    cron) runs every enabled plugin's daily jobs, and only once a day."""
    folder = write_site(tmp_path / "sites", "karlskoga", plugins=["webportal", "lisa", "fritidsbanken", "odling"])
    assert paraply("migrate", "--site", folder).exit_code == 0
    result = paraply("daily", "--site", folder)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "bildstorlekar",
        "core-accounts",
        "core-mail",
        "core-rate-limits",
        "federation-grannforfragningar",
        "lisa-remisser",
        "fritidsbanken",
        "odling-paminnelser",
        "odling-gallra",
    ]
    assert "lisa-remisser: klart: Raderade remisser: 0" in lines
    assert all(": klart: " in line for line in lines)
    again = paraply("daily", "--site", folder)
    assert again.exit_code == 0 and "Inget att göra: dagens jobb är redan körda." in again.output
