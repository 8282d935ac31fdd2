"""Fixtures of the OpenID tests: a real provider (oidc-provider on Node) and
a site on a real server that lists it, on each database."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.oidc import client
from core.site import Site
from tests.conftest import DATABASES, _new_pg_database
from tests.federation.harness import Server, free_port
from tests.oidc.harness import NodeProvider, Person, make_site, oidc_toml, serve

SECRET = "oidc-test-client-secret"


@dataclass
class Signin:
    site: Site
    server: Server
    url: str
    provider: NodeProvider


@pytest.fixture(scope="module")
def site_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def node_provider(site_port: int) -> Iterator[NodeProvider]:
    provider = NodeProvider("paraply-test", SECRET, f"http://127.0.0.1:{site_port}/konto/oidc/testid/tillbaka")
    yield provider
    provider.stop()


@pytest.fixture(params=DATABASES)
def signin(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    site_port: int,
    node_provider: NodeProvider,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Signin]:
    """Kristinehamn's site on ``site_port``, trusting the Node provider as "testid"."""
    monkeypatch.setenv("PARAPLY_OIDC_TESTID_SECRET", SECRET)
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'site.db'}"
    else:
        url = _new_pg_database(request.getfixturevalue("pg_cluster"))
    toml = oidc_toml("testid", "Test-ID", node_provider.issuer, "paraply-test")
    site = make_site(tmp_path, "kristinehamn", "Kristinehamns Föreningsråd", site_port, url, toml)
    server = serve(site, site_port)
    yield Signin(site, server, f"http://127.0.0.1:{site_port}", node_provider)
    server.stop()
    site.dispose()
    client.forget_cached()


@pytest.fixture
def person() -> Iterator[Person]:
    browser = Person()
    yield browser
    browser.close()
