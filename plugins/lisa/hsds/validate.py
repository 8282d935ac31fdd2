"""Validating documents against HSDS 3.0's JSON Schemas (``schema/``).

Used by the import (a file that is not HSDS is refused with the reason) and
by the tests, which validate real API answers. Formats are checked too
(uuid, email, and, with ``rfc3339-validator``/``rfc3986-validator``
installed, date-time and uri).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

SCHEMA_DIR = Path(__file__).parent / "schema"
BASE = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"


@cache
def registry() -> Registry:
    resources = []
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((BASE + path.name, Resource.from_contents(contents)))
    return Registry().with_resources(resources)


@cache
def validator(name: str) -> Draft202012Validator:
    """A validator for one schema by file stem: ``service``, ``page`` ..."""
    schema = registry().contents(BASE + f"{name}.json")
    return Draft202012Validator(schema, registry=registry(), format_checker=FormatChecker())


def errors(name: str, document: Any) -> list[str]:
    """Every way ``document`` breaks schema ``name``, as "path: message"."""
    found = []
    for error in sorted(validator(name).iter_errors(document), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in error.absolute_path) or "(dokumentet)"
        found.append(f"{where}: {error.message}")
    return found


def page_errors(item_schema: str, document: Any) -> list[str]:
    """A paged answer: the Page envelope, then each item of ``contents``."""
    found = errors("page", document)
    for i, item in enumerate(document.get("contents", []) if isinstance(document, dict) else []):
        found += [f"contents/{i}/{e}" for e in errors(item_schema, item)]
    return found
