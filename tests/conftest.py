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
from tests.pg import PgCluster, find_pg_bin, start_cluster  # noqa: E402

__all__ = ["Client", "add_user", "paraply_client", "query_counter", "smtp_inbox", "text_of", "write_site"]

PASSWORD = TEST_PASSWORD
IN_CI = bool(os.environ.get("CI"))

DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


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


@pytest.fixture
def make_site(tmp_path: Path, database_url: str, made_sites: list[Site]) -> Iterator[SiteFactory]:
    """Build and migrate a site on the parametrised database. Only one site
    per test may use the database; call with ``url=`` for more."""
    made = made_sites

    def factory(
        slug: str = "testsite",
        plugins: list[str] | None = None,
        plugin_settings: dict[str, str] | None = None,
        extra: str = "",
        migrate_db: bool = True,
        url: str | None = None,
    ) -> Site:
        folder = write_site(tmp_path / "sites", slug, plugins, plugin_settings, extra)
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
