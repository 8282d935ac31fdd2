"""Shared fixtures.

Storage and web tests take the ``site`` (or ``make_site``) fixture, which is
parametrised over both databases: a fresh SQLite file and a fresh database on
a throw-away PostgreSQL cluster. Without PostgreSQL binaries the postgresql
cases skip with the reason; in CI (``CI`` set) they fail instead, because CI
must run them.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("PARAPLY_CHEAP_HASHING", "1")
# The daily jobs would change demo and test data under the tests: tests/test_daily.py runs them itself.
os.environ["PARAPLY_DAILY_JOBS"] = "0"
os.environ["PARAPLY_SECRET_KEY"] = "test-secret-key-not-for-production"
os.environ.pop("PARAPLY_DATABASE_URL", None)

from sqlalchemy import create_engine, text  # noqa: E402

from core import migrate  # noqa: E402
from core.models import Role, User  # noqa: E402
from core.site import Site  # noqa: E402
from core.testing import (  # noqa: E402
    TEST_PASSWORD,
    Client,
    add_user,
    load_test_site,
    paraply_client,
    query_counter,
    smtp_inbox,
    text_of,
    write_site,
)
from tests import summary  # noqa: E402
from tests.pg import PgCluster, find_pg_bin, start_cluster  # noqa: E402

__all__ = ["Client", "add_user", "paraply_client", "query_counter", "smtp_inbox", "text_of", "write_site"]

PASSWORD = TEST_PASSWORD
IN_CI = bool(os.environ.get("CI"))

DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


# -- the end-of-run summary, from every xdist worker (tests/summary.py) ------------


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: send its lines to the controller
        workeroutput[summary.WORKEROUTPUT_KEY] = summary.to_workeroutput()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    """xdist's controller: a worker finished; keep its summary lines."""
    summary.merge(getattr(node, "workeroutput", {}).get(summary.WORKEROUTPUT_KEY, {}))


def pytest_terminal_summary(terminalreporter: object) -> None:
    summary.write(terminalreporter)


@pytest.fixture(scope="session")
def run_tmp_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A temporary folder shared by every xdist worker of this run (the
    parent of the workers' own base folders), for things built once per run
    and then copied (take a file lock: tests/browser/server.py); a serial
    run's own base folder."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


# -- PostgreSQL ------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    if find_pg_bin() is None:
        reason = "PostgreSQL binaries (initdb, pg_ctl) not found"
        if IN_CI:
            pytest.fail(reason + ": CI must run the PostgreSQL tests (.ci/run installs them)")
        pytest.skip(reason + "; install PostgreSQL to run these tests")
    cluster = start_cluster()
    yield cluster
    cluster.stop()
    shutil.rmtree(cluster.datadir.parent, ignore_errors=True)


_db_counter = itertools.count()


def _new_pg_database(cluster: PgCluster) -> str:
    name = f"t{os.getpid()}_{next(_db_counter)}"
    engine = create_engine(cluster.admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return cluster.url(name)


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database URL on each database kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'site.db'}"
    cluster = request.getfixturevalue("pg_cluster")
    return _new_pg_database(cluster)


# -- sites -----------------------------------------------------------------------

SiteFactory = Callable[..., Site]


@pytest.fixture
def made_sites() -> list[Site]:
    """Every site ``make_site`` made in this test (to set their clocks)."""
    return []


#: (database kind, site.toml) -> a database of that kind migrated for that
#: site.toml, made once per process (xdist worker): a SQLite file's path or a
#: PostgreSQL database's name. ``make_site`` copies it instead of migrating.
_migrated_templates: dict[tuple[str, str], str] = {}
_template_counter = itertools.count()
#: PARAPLY_TEST_MIGRATE_EACH=1 migrates every test's database itself again.
MIGRATE_EACH = os.environ.get("PARAPLY_TEST_MIGRATE_EACH") == "1"


def _copy_migrated(folder: Path, database_url: str, root: Path, request: pytest.FixtureRequest) -> None:
    """Turn ``database_url`` (fresh and empty, from ``database_url``) into a
    copy of a database migrated for the same site.toml. Migrating core and a
    few plugins takes one to five seconds on this machine, and the route
    walks make a site per route, role and database: a copy takes a tenth of
    a second and holds the same tables, constraints, revisions and seed
    rows (tests/test_migrations.py checks the migrations themselves)."""
    kind = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    key = (kind, (folder / "site.toml").read_text(encoding="utf-8"))
    number = next(_template_counter)
    if kind == "sqlite":
        if key not in _migrated_templates:
            path = root / f"template{number}.db"
            template = Site.load(folder, database_url=f"sqlite:///{path}", data_dir=root / f"data{number}")
            migrate.upgrade(template)
            with template.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            template.dispose()
            _migrated_templates[key] = str(path)
        shutil.copyfile(_migrated_templates[key], database_url.removeprefix("sqlite:///"))
        return
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    admin = create_engine(cluster.admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if key not in _migrated_templates:
                name = f"template{os.getpid()}_{number}"
                conn.execute(text(f'CREATE DATABASE "{name}"'))
                template = Site.load(folder, database_url=cluster.url(name), data_dir=root / f"data{number}")
                migrate.upgrade(template)
                template.dispose()
                _migrated_templates[key] = name
            target = database_url.rsplit("/", 1)[1]
            conn.execute(text(f'DROP DATABASE "{target}"'))
            conn.execute(text(f'CREATE DATABASE "{target}" TEMPLATE "{_migrated_templates[key]}"'))
    finally:
        admin.dispose()


@pytest.fixture
def make_site(
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    database_url: str,
    made_sites: list[Site],
    request: pytest.FixtureRequest,
) -> Iterator[SiteFactory]:
    """Build and migrate a site on the parametrised database. Only one site
    per test may use the database; call with ``url=`` for more. The first
    site on the test's own database is a copy of one migrated earlier in this
    worker for the same site.toml (``_copy_migrated``)."""
    made = made_sites
    fresh = [True]  # the test's own database is still empty

    def factory(
        slug: str = "testsite",
        plugins: list[str] | None = None,
        plugin_settings: dict[str, str] | None = None,
        extra: str = "",
        migrate_db: bool = True,
        url: str | None = None,
    ) -> Site:
        folder = write_site(tmp_path / "sites", slug, plugins, plugin_settings, extra)
        if migrate_db and url is None and fresh[0] and not MIGRATE_EACH:
            root = tmp_path_factory.getbasetemp() / "migrated-templates"
            root.mkdir(exist_ok=True)
            _copy_migrated(folder, database_url, root, request)
            migrate_db = False
        if url is None:
            fresh[0] = False
        site = load_test_site(folder, url or database_url, tmp_path / "data" / slug, migrate_db=migrate_db)
        made.append(site)
        return site

    yield factory
    for site in made:
        site.dispose()


DEFAULT_WEBPORTAL = 'municipalities = ["Karlskoga", "Degerfors"]\nper_page = 5\n'


@pytest.fixture
def site(make_site: SiteFactory) -> Site:
    """A migrated site with the webportal plugin, on both databases."""
    return make_site(plugin_settings={"webportal": DEFAULT_WEBPORTAL})


# -- users and clients (core.testing's, as plugins' own tests use them) ------------


@pytest.fixture
def admin(site: Site) -> User:
    return add_user(site, "admin@test.example", Role.ADMIN, "Ada Admin")


@pytest.fixture
def editor(site: Site) -> User:
    return add_user(site, "editor@test.example", Role.EDITOR, "Edit Redaktör")


@pytest.fixture
def make_client(paraply_client: Callable[[Site], Client]) -> Callable[[Site], Client]:
    return paraply_client


@pytest.fixture
def client(site: Site, make_client: Callable[[Site], Client]) -> Client:
    return make_client(site)
