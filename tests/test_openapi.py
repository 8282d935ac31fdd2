"""``/-/openapi.json`` describes the site's JSON APIs (issue 18): core's
plugin list, federation's discovery document and LISA's HSDS 3.0 read API.

Alongside schemathesis (tests/test_schemathesis.py): every path the
description lists is called, with real ids from its list and then with
hostile values for each declared query parameter, and every answer must be a
status the description declares, never 5xx, with a JSON body that validates
against the schema it declares for that status.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from core.demo import load_demo
from core.testing import load_test_site

REPO = Path(__file__).resolve().parent.parent
HOSTILE = [str(2**31), str(2**63), "-1", "0", "²", "\x00", "%ff", "x" * 5000, "true", "2026-13-45T99:00:00Z"]
HOSTILE += ["http://[x]/", ""]


@pytest.fixture
def mockeln(database_url, tmp_path):
    site = load_test_site(REPO / "sites" / "mockeln", database_url, tmp_path / "data")
    load_demo(site, echo=lambda _: None)
    yield site
    site.dispose()


def check(document: dict[str, Any], operation: dict[str, Any], response: Any, where: str) -> None:
    status = str(response.status_code)
    assert response.status_code < 500, f"{where}: {response.status_code}"
    declared = operation["responses"]
    assert status in declared, f"{where}: answered {status}, the description declares {sorted(declared)}"
    content = declared[status].get("content", {}).get("application/json")
    if content is None:
        return
    assert response.headers["content-type"].startswith("application/json"), where
    root = {**content["schema"], "components": document["components"]}
    validator = Draft202012Validator(root, format_checker=FormatChecker())
    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(response.json())]
    assert not problems, f"{where}: " + "; ".join(problems[:5])


def test_every_described_path_answers_as_described(mockeln, make_client):
    client = make_client(mockeln)
    answer = client.get("/-/openapi.json")
    assert answer.status_code == 200
    document = answer.json()
    assert document["openapi"] == "3.1.0"
    Draft202012Validator.check_schema({"$defs": document["components"]["schemas"]})
    paths = document["paths"]
    assert {"/-/plugins.json", "/.well-known/paraply", "/hjalp/api/services", "/hjalp/api/services/{id}"} <= set(
        paths
    ), sorted(paths)
    calls = 0
    for template, item in paths.items():
        operation = item["get"]
        if "{id}" in template:
            listing = client.get(template.replace("/{id}", "")).json()
            ids = [c["id"] for c in listing.get("contents", [])][:2] or ["x"]
            for value in [*ids, "finns-inte", "%00", "x%0Ay", str(2**64)]:  # a newline passed no Mount (HTML 404)
                url = template.replace("{id}", value)
                check(document, operation, client.get(url), f"GET {url}")
                calls += 1
            continue
        check(document, operation, client.get(template), f"GET {template}")
        calls += 1
        names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
        for name, value in itertools.product(names, HOSTILE):
            response = client.get(template, params={name: value})
            check(document, operation, response, f"GET {template}?{name}={value[:20]!r}")
            calls += 1
    assert calls > 100
