"""schemathesis against ``/-/openapi.json`` (issue 18): the JSON APIs the
description lists (core's plugin list, federation's discovery document and
LISA's HSDS read API) are called by schemathesis over HTTP, on a real
uvicorn server of the Möckeln demo site, on both databases. schemathesis
makes the requests from the description itself (valid values and, with its
negative mode, values the description forbids) and checks every answer: no
5xx, a status and content type the description declares, and a body that
validates against the schema declared for that status.

``tests/test_openapi.py`` calls each path with real ids and a fixed list of
hostile values; this one lets schemathesis find what neither thought of.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode

from core import migrate
from core.app import create_app
from core.demo import load_demo
from core.site import Site
from tests.browser.server import SITES, free_port
from tests.conftest import DATABASES, _new_pg_database

#: The checks of "0 server errors and 0 schema violations": every answer below
#: 500, with a declared status, content type and headers, and a body that
#: matches the declared schema.
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
]
#: Cases per operation and mode: enough for schemathesis to reach the edges
#: of each parameter, few enough to keep the test to a few seconds.
EXAMPLES = 40


@pytest.fixture(scope="module", params=DATABASES)
def live_mockeln(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("schemathesis")
    if request.param == "sqlite":
        url = f"sqlite:///{data / 'site.db'}"
    else:
        url = _new_pg_database(request.getfixturevalue("pg_cluster"))
    site = Site.load(SITES / "mockeln", database_url=url, data_dir=Path(data))
    migrate.upgrade(site)
    load_demo(site, echo=lambda _msg: None)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(site), host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name="uvicorn-schemathesis", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=15)
    site.dispose()


@pytest.fixture(scope="module")
def api_schema(live_mockeln: str) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(live_mockeln + "/-/openapi.json")


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_every_json_api_keeps_to_its_description(api_schema: schemathesis.BaseSchema, mode: GenerationMode) -> None:
    """Each described operation, with cases schemathesis draws (``POSITIVE``:
    values the description allows; ``NEGATIVE``: values it forbids), sent
    over HTTP; every answer passes ``CHECKS``. (Hypothesis drives the
    strategies directly: schemathesis's own pytest plugin does not run under
    pytest 9.)"""
    calls = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode))
        def call(case: schemathesis.Case) -> None:
            nonlocal calls
            case.call_and_validate(checks=CHECKS)
            calls += 1

        try:
            call()
        except Unsatisfiable:
            # An operation without parameters (the plugin list) has no value
            # the description forbids: nothing to send in negative mode.
            assert mode is GenerationMode.NEGATIVE, f"no case for {operation.path}"
    assert calls >= 4 * 5, f"schemathesis made only {calls} calls"


def test_schemathesis_finds_every_described_operation(api_schema: schemathesis.BaseSchema) -> None:
    """The walk above is not empty: schemathesis reads the paths core,
    federation and LISA describe."""
    paths = {operation.ok().path for operation in api_schema.get_all_operations()}
    assert {"/-/plugins.json", "/.well-known/paraply", "/hjalp/api/services", "/hjalp/api/services/{id}"} <= paths
