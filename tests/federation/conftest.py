"""Fixtures for federation tests: a ``network`` of real sites on real
servers, parametrised over SQLite and PostgreSQL like every storage test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import DATABASES, _new_pg_database
from tests.federation.harness import Network


@pytest.fixture(params=DATABASES)
def network(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Network]:
    if request.param == "sqlite":

        def url(slug: str) -> str:
            return f"sqlite:///{tmp_path / (slug + '.db')}"
    else:
        cluster = request.getfixturevalue("pg_cluster")

        def url(slug: str) -> str:
            return _new_pg_database(cluster)

    net = Network(tmp_path, url)
    yield net
    net.close()
