"""Migrations on both databases: each plugin's branch creates exactly its own
tables and only when enabled, re-running is a no-op, and the migrated schema
matches the models (so a model change without a migration fails here)."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event, inspect, text
from sqlmodel import SQLModel, select

import core.models  # noqa: F401  (registers core's tables)
import federation.models  # noqa: F401  (registers federation's tables: every site has them)
import plugins.webportal.models  # noqa: F401  (registers webportal's tables)
from core import migrate
from core.plugins import PluginInfo
from core.site import Site
from tests.conftest import DEFAULT_WEBPORTAL, write_site
from tests.plugins import SiteMaker, installed_with
from tests.plugins.sample.models import SampleThing

CORE_REV = "a3d7f1c9e5b2"  # core's head: the rate limits' table (after the page cache's content version)
SAMPLE_REV = "4b1e7c2a9d30"
FEDERATION_REV = "b7e1c9a4f210"  # issue 19: join requests
WEBPORTAL = {"webportal": DEFAULT_WEBPORTAL}


@pytest.fixture
def sites(tmp_path: Path, database_url: str):
    """Test sites on one fresh database per test; several sites made in one
    test share it, which is how enabling and disabling plugins is tested."""
    maker = SiteMaker(tmp_path, database_url)
    yield maker
    maker.close()


def _tables(site) -> set[str]:
    # Less SQLite's FTS5 index of core_search_document (a virtual table and
    # its shadow tables, search_fts*), which core's search migration makes
    # and tests/test_search_index.py tests.
    return {t for t in inspect(site.engine).get_table_names() if not t.startswith("search_fts")}


def _model_tables(*prefixes: str) -> set[str]:
    return {name for name in SQLModel.metadata.tables if name.startswith(tuple(f"{p}_" for p in prefixes))}


def _versions(site) -> set[str]:
    with site.engine.connect() as conn:
        return {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}


def _schema_differences(site, *prefixes: str) -> list[object]:
    """What alembic's autogenerate would write for these plugins' tables:
    nothing, when every model change came with a migration."""
    wanted = tuple(f"{p}_" for p in prefixes)

    def include(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
        table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", "")
        return bool(table) and table.startswith(wanted)

    with site.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include})
        return list(compare_metadata(context, SQLModel.metadata))


def test_a_site_without_plugins_gets_exactly_the_core_tables(sites):
    site = sites([])
    assert {"core_user", "core_login_failure"} <= _model_tables("core")
    # Federation is a default plugin: its branch runs on every site, after core.
    assert _tables(site) == _model_tables("core", "federation") | {"alembic_version"}


def test_a_webportal_site_gets_core_and_webportal_tables(sites):
    site = sites(["webportal"], plugin_settings=WEBPORTAL)
    assert "webportal_association" in _model_tables("webportal")
    assert _tables(site) == _model_tables("core", "federation", "webportal") | {"alembic_version"}


def test_migrating_twice_changes_nothing(sites):
    site = sites(["webportal", "sample"], plugin_settings=WEBPORTAL)
    tables, versions = _tables(site), _versions(site)
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement.strip().split()[0].upper())

    event.listen(site.engine, "before_cursor_execute", record)
    try:
        assert migrate.upgrade(site) == ["core", "federation", "webportal", "sample"]
    finally:
        event.remove(site.engine, "before_cursor_execute", record)
    assert statements, "the listener saw nothing; the check below would pass vacuously"
    assert not {"CREATE", "ALTER", "DROP", "INSERT", "UPDATE", "DELETE"} & set(statements)
    assert (_tables(site), _versions(site)) == (tables, versions)


def test_migrated_schema_matches_the_models(sites):
    site = sites(["webportal", "sample"], plugin_settings=WEBPORTAL)
    differences = _schema_differences(site, "core", "federation", "webportal", "sample")
    assert differences == [], "models changed without a migration (run 'paraply make-migration'):\n" + "\n".join(
        map(str, differences)
    )


def test_the_comparison_would_notice_a_missing_migration(sites):
    site = sites([])  # core only: webportal's models exist, its tables do not
    differences = _schema_differences(site, "webportal")
    added = {diff[1].name for diff in differences if isinstance(diff, tuple) and diff[0] == "add_table"}
    assert added == _model_tables("webportal")


def test_a_plugin_branch_runs_only_when_the_plugin_is_enabled(sites):
    blocked = sites([], slug="without")
    assert "sample_thing" not in _tables(blocked)
    assert _versions(blocked) == {CORE_REV, FEDERATION_REV}

    enabled = sites(["sample"], slug="with")
    assert "sample_thing" in _tables(enabled)
    columns = {c["name"] for c in inspect(enabled.engine).get_columns("sample_thing")}
    assert columns == {"id", "name", "search_text", "created_at"}
    assert migrate.current_heads(enabled) == {"core": CORE_REV, "federation": FEDERATION_REV, "sample": SAMPLE_REV}


def test_disabling_a_migrated_plugin_keeps_migrate_working(sites):
    first = sites(["sample"], slug="first")
    with first.session() as db:
        db.add(SampleThing(name="Kvar efteråt"))
        db.commit()

    # The site drops sample and takes up webportal: migrate must still run.
    second = sites(["webportal"], plugin_settings=WEBPORTAL, slug="second")
    assert migrate.pending(second) == []
    assert migrate.current_heads(second)["core"] == CORE_REV
    assert _model_tables("webportal") <= _tables(second)
    assert migrate.upgrade(second) == ["core", "federation", "webportal"]

    # Switching it back on finds its table and rows where they were.
    third = sites(["webportal", "sample"], plugin_settings=WEBPORTAL, slug="third")
    assert migrate.pending(third) == []
    with third.session() as db:
        assert [t.name for t in db.exec(select(SampleThing)).all()] == ["Kvar efteråt"]


@pytest.mark.parametrize("plugins", [[], ["webportal"], ["webportal", "sample"]], ids=["core", "webportal", "both"])
def test_pending_reports_fresh_and_migrated_databases(sites, plugins):
    settings = WEBPORTAL if "webportal" in plugins else None
    site = sites(plugins, plugin_settings=settings, migrate_db=False)
    assert migrate.pending(site) == ["core", "federation", *plugins]
    assert set(migrate.current_heads(site).values()) == {None}
    migrate.upgrade(site)
    assert migrate.pending(site) == []
    assert None not in migrate.current_heads(site).values()


def test_an_installed_plugin_that_does_not_import_stops_only_sites_that_enable_it(tmp_path, database_url):
    installed = installed_with()
    installed["trasig"] = PluginInfo("trasig", "tests.plugins.finns_inte", "trasig-paket", "0.1")
    folder = write_site(tmp_path / "sites", "hel", ["webportal"])
    site = Site.load(folder, database_url=database_url, data_dir=tmp_path / "data", installed=installed)
    try:
        assert migrate.upgrade(site) == ["core", "federation", "webportal"]
    finally:
        site.dispose()
    broken = write_site(tmp_path / "sites", "trasig", ["webportal", "trasig"])
    with pytest.raises(ImportError):
        Site.load(broken, database_url=database_url, data_dir=tmp_path / "data", installed=installed)
