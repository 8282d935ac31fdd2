"""The plugin kit: ``paraply new-plugin NAME`` writes a package that
installs and loads with no edits. The test scaffolds one, installs it with
pip into a temporary folder on ``sys.path`` (as a real distribution with
its ``paraply.plugins`` entry point), enables it on a test site and sees it
serve; and it runs the package's own tests, unedited."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect

from core import cli as cli_module
from core.models import Role
from core.plugins import discover
from core.scaffold_plugin import PluginScaffoldError, create_plugin
from tests.conftest import add_user, text_of
from tests.test_plugin_interface import offences

NAME = "kitprov"
PACKAGE = f"paraply_{NAME}"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """Scaffold ``paraply-kitprov`` with the CLI and pip-install it into a
    temporary target on ``sys.path``; removed again afterwards."""
    root = tmp_path_factory.mktemp("kit")
    result = CliRunner().invoke(cli_module.cli, ["new-plugin", NAME, "--title", "Kitprov", "--dir", str(root)])
    assert result.exit_code == 0, result.output
    source = root / f"paraply-{NAME}"
    assert f"Tillägget {NAME} är skapat i {source}" in result.output
    target = root / "site-packages"
    pip = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert pip.returncode == 0, pip.stdout + pip.stderr
    sys.path.insert(0, str(target))
    importlib.invalidate_caches()
    saved = os.environ.pop("PARAPLY_NO_ENTRY_POINTS", None)
    yield source, target
    sys.path.remove(str(target))
    for module in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
        del sys.modules[module]
    if saved is not None:
        os.environ["PARAPLY_NO_ENTRY_POINTS"] = saved


def test_the_scaffold_has_every_part_of_a_plugin(tmp_path):
    folder = create_plugin("lokalbokning", parent=tmp_path)
    package = folder / "paraply_lokalbokning"
    for part in (
        "hooks.py",
        "routes.py",
        "views.py",
        "models.py",
        "settings.py",
        "templates/lokalbokning/index.html",
        "static/lokalbokning.css",
    ):
        assert (package / part).is_file(), part
    migrations = list((package / "migrations").glob("*_lokalbokning_tables.py"))
    assert (
        len(migrations) == 1
        and 'branch_labels: str | Sequence[str] | None = ("lokalbokning",)' in migrations[0].read_text()
    )
    assert (folder / "tests" / "test_lokalbokning.py").is_file() and (folder / "tests" / "conftest.py").is_file()
    pyproject = (folder / "pyproject.toml").read_text()
    assert '[project.entry-points."paraply.plugins"]\nlokalbokning = "paraply_lokalbokning.hooks"' in pyproject
    # Like odling, it keeps to the public interface.
    for file in folder.rglob("*.py"):
        assert offences("lokalbokning", file) == [], file.name
    assert "$" not in "".join(f.read_text() for f in folder.rglob("*") if f.is_file()), "a placeholder was left"


def test_bad_names_and_taken_ones_are_refused(tmp_path):
    runner = CliRunner()
    bad = runner.invoke(cli_module.cli, ["new-plugin", "Lokal-Bokning", "--dir", str(tmp_path)])
    assert bad.exit_code == 1 and "går inte att använda" in bad.output and "cannot be used" in bad.output
    taken = runner.invoke(cli_module.cli, ["new-plugin", "odling", "--dir", str(tmp_path)])
    assert taken.exit_code == 1 and "Det finns redan ett installerat tillägg som heter odling" in taken.output
    create_plugin("dubbel", parent=tmp_path)
    with pytest.raises(PluginScaffoldError, match="finns redan"):
        create_plugin("dubbel", parent=tmp_path)
    assert list(tmp_path.iterdir()) == [tmp_path / "paraply-dubbel"]


def test_an_installed_scaffold_is_discovered_enabled_migrated_and_served(installed, make_site, make_client):
    info = discover()[NAME]
    assert (info.source, info.module_path) == (f"paraply-{NAME}", f"{PACKAGE}.hooks")
    assert info.templates_dir is not None and info.static_dir is not None and info.migrations_dir is not None

    site = make_site(
        plugins=["webportal", NAME],
        plugin_settings={
            "webportal": 'municipalities = ["Karlskoga"]\n',
            NAME: 'greeting = "Hej från ett nytt tillägg"',
        },
    )
    assert f"{NAME}_item" in inspect(site.engine).get_table_names()
    add_user(site, "admin@test.example", Role.ADMIN)
    client = make_client(site)
    page = client.get(f"/{NAME}/")
    assert page.status_code == 200 and "Hej från ett nytt tillägg" in text_of(page.text)
    assert f'href="/{NAME}/"' in client.get("/").text  # its menu link
    assert client.get(f"/static/{NAME}/{NAME}.css").status_code == 200
    client.login("admin@test.example")
    assert client.submit(f"/{NAME}/ny", {"name": "Stora salen"}).status_code == 303
    assert "Stora salen" in text_of(client.get(f"/{NAME}/").text)
    plugins = {row["name"]: row for row in client.get("/-/plugins.json").json()["plugins"]}
    assert plugins[NAME]["source"] == f"paraply-{NAME}" and plugins[NAME]["migrations"] is True


def test_the_scaffold_is_absent_where_it_is_not_enabled(installed, make_site, make_client):
    site = make_site(plugin_settings={"webportal": 'municipalities = ["Karlskoga"]\n'})
    assert NAME in site.installed and NAME not in site.enabled
    assert make_client(site).get(f"/{NAME}/").status_code == 404
    assert f"{NAME}_item" not in inspect(site.engine).get_table_names()


def test_the_scaffolds_own_tests_pass_unedited(installed):
    source, target = installed
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(target), str(Path(cli_module.__file__).parents[1])])}
    env.pop("PARAPLY_NO_ENTRY_POINTS", None)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q"], cwd=source, env=env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "3 passed" in run.stdout
