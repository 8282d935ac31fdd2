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
import re
import shutil
import textwrap
from collections.abc import Callable, Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("PARAPLY_CHEAP_HASHING", "1")
# The daily jobs would change demo and test data under the tests: tests/test_daily.py runs them itself.
os.environ["PARAPLY_DAILY_JOBS"] = "0"
os.environ["PARAPLY_SECRET_KEY"] = "test-secret-key-not-for-production"
os.environ.pop("PARAPLY_DATABASE_URL", None)

from sqlalchemy import create_engine, text  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from core import migrate  # noqa: E402
from core.accounts import create_user  # noqa: E402
from core.app import create_app  # noqa: E402
from core.csrf import csrf_cookie_name  # noqa: E402
from core.models import Role, User  # noqa: E402
from core.site import Site  # noqa: E402
from tests.pg import PgCluster, find_pg_bin, start_cluster  # noqa: E402

PASSWORD = "test-losenord-123"
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


def write_site(
    root: Path,
    slug: str = "testsite",
    plugins: list[str] | None = None,
    plugin_settings: dict[str, str] | None = None,
    extra: str = "",
) -> Path:
    """Write ``root/<slug>/site.toml`` and return the folder."""
    folder = root / slug
    folder.mkdir(parents=True, exist_ok=True)
    plugins = ["webportal"] if plugins is None else plugins
    body = textwrap.dedent(
        f"""
        [site]
        name = "Testföreningarna {slug}"
        base_url = "http://{slug}.example"
        plugins = {plugins!r}
        {extra}
        """
    ).replace("'", '"')
    for name, table in (plugin_settings or {}).items():
        body += f"\n[plugin.{name}]\n{textwrap.dedent(table)}\n"
    (folder / "site.toml").write_text(body, encoding="utf-8")
    return folder


@pytest.fixture
def make_site(tmp_path: Path, database_url: str) -> Iterator[SiteFactory]:
    """Build and migrate a site on the parametrised database. Only one site
    per test may use the database; call with ``database_url=`` for more."""
    made: list[Site] = []

    def factory(
        slug: str = "testsite",
        plugins: list[str] | None = None,
        plugin_settings: dict[str, str] | None = None,
        extra: str = "",
        migrate_db: bool = True,
        url: str | None = None,
    ) -> Site:
        folder = write_site(tmp_path / "sites", slug, plugins, plugin_settings, extra)
        site = Site.load(folder, database_url=url or database_url, data_dir=tmp_path / "data" / slug)
        if migrate_db:
            migrate.upgrade(site)
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


# -- users and clients -------------------------------------------------------------


def add_user(site: Site, email: str, role: Role = Role.EDITOR, name: str | None = None) -> User:
    with site.session() as db:
        user = create_user(db, email, name or email.split("@")[0].title(), PASSWORD, role)
        db.commit()
        db.refresh(user)
        return user


@pytest.fixture
def admin(site: Site) -> User:
    return add_user(site, "admin@test.example", Role.ADMIN, "Ada Admin")


@pytest.fixture
def editor(site: Site) -> User:
    return add_user(site, "editor@test.example", Role.EDITOR, "Edit Redaktör")


class Client(TestClient):
    """A test client that knows the CSRF dance and how to log in."""

    def csrf(self) -> str:
        name = csrf_cookie_name(self.app.state.site.slug)  # type: ignore[attr-defined]
        token = self.cookies.get(name)
        if not token:
            self.get("/konto/logga-in")
            token = self.cookies.get(name)
        assert token, "no csrftoken cookie was set"
        return token

    def submit(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """POST a form the way a browser would: with the page's CSRF token."""
        payload = dict(data or {})
        payload.setdefault("csrftoken", self.csrf())
        kwargs.setdefault("follow_redirects", False)
        return self.post(url, data=payload, **kwargs)

    def login(self, email: str, password: str = PASSWORD) -> Any:
        response = self.submit("/konto/logga-in", {"email": email, "password": password})
        assert response.status_code == 303, response.text[:500]
        return response


@pytest.fixture
def make_client() -> Iterator[Callable[[Site], Client]]:
    clients: list[Client] = []

    def factory(site: Site) -> Client:
        client = Client(create_app(site), base_url=site.base_url)
        client.__enter__()
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(site: Site, make_client: Callable[[Site], Client]) -> Client:
    return make_client(site)


def text_of(html: str) -> str:
    """Visible text of a page, whitespace collapsed: for asserting on what a
    person reads rather than on markup."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
