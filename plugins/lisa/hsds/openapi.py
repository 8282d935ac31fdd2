"""LISA's part of ``/-/openapi.json``: the HSDS 3.0 read API under ``/api``.

The schemas are HSDS's own (the vendored files in ``schema/``), placed in
``components/schemas`` as ``hsds_<name>`` with their file references
(``"phone.json"``) rewritten to component references, so the description
stands alone (no fetching from GitHub). Each answer is described as
``tests/lisa/test_hsds.py`` validates it (``schema/README.md``).
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from core.api import Site
from plugins.lisa.hsds.validate import SCHEMA_DIR


def _rewrite(node: Any) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key in ("$schema", "$id"):
                continue
            if key == "$ref" and isinstance(value, str) and value.endswith(".json"):
                out[key] = f"#/components/schemas/hsds_{value[:-5]}"
            else:
                out[key] = _rewrite(value)
        return out
    if isinstance(node, list):
        return [_rewrite(item) for item in node]
    return node


@cache
def schemas() -> dict[str, Any]:
    found = {
        f"hsds_{path.stem}": _rewrite(json.loads(path.read_text(encoding="utf-8")))
        for path in sorted(SCHEMA_DIR.glob("*.json"))
    }
    found["hsds_error"] = {
        "type": "object",
        "required": ["message"],
        "properties": {"status": {"type": "integer"}, "message": {"type": "string"}},
    }
    return found


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/hsds_{name}"}


def _paged(*items: str) -> dict[str, Any]:
    item = _ref(items[0]) if len(items) == 1 else {"anyOf": [_ref(i) for i in items]}
    return {"allOf": [_ref("page"), {"type": "object", "properties": {"contents": {"type": "array", "items": item}}}]}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


PAGING = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
]
SEARCH = {"name": "search", "in": "query", "schema": {"type": "string"}}
ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
BAD = {"400": _json(_ref("error"), "A query parameter the API cannot use")}
MISSING = {"404": _json(_ref("error"), "No such object")}


def _get(
    operation: str, summary: str, answer: dict[str, Any], parameters: list[dict[str, Any]], errors: dict[str, Any]
) -> dict[str, Any]:
    return {
        "get": {
            "operationId": f"lisa_{operation}",
            "summary": summary,
            "parameters": parameters,
            "responses": {"200": _json(answer, summary), **errors},
        }
    }


def paths(site: Site) -> dict[str, Any]:
    api = site.prefix("lisa") + "/api"
    listing = [*PAGING, SEARCH]
    return {
        "paths": {
            f"{api}/services": _get(
                "services",
                "Services (HSDS service_list; full=true for whole services)",
                _paged("service_list", "service"),
                [
                    *listing,
                    {"name": "full", "in": "query", "schema": {"type": "boolean"}},
                    {"name": "taxonomy_term_id", "in": "query", "schema": {"type": "string"}},
                    {"name": "taxonomy_id", "in": "query", "schema": {"type": "string"}},
                    {"name": "organization_id", "in": "query", "schema": {"type": "string"}},
                    {"name": "modified_after", "in": "query", "schema": {"type": "string", "format": "date-time"}},
                ],
                BAD,
            ),
            f"{api}/services/{{id}}": _get("service", "One service, fully nested", _ref("service"), [ID], MISSING),
            f"{api}/organizations": _get("organizations", "Organisations", _paged("organization"), listing, BAD),
            f"{api}/organizations/{{id}}": _get(
                "organization", "One organisation", _ref("organization"), [ID], MISSING
            ),
            f"{api}/taxonomies": _get("taxonomies", "The needs taxonomy", _paged("taxonomy"), PAGING, BAD),
            f"{api}/taxonomies/{{id}}": _get("taxonomy", "The needs taxonomy", _ref("taxonomy"), [ID], MISSING),
            f"{api}/taxonomy_terms": _get(
                "taxonomy_terms",
                "Terms of the needs taxonomy",
                _paged("taxonomy_term"),
                [
                    *listing,
                    {"name": "taxonomy_id", "in": "query", "schema": {"type": "string"}},
                    {"name": "parent_id", "in": "query", "schema": {"type": "string"}},
                ],
                BAD,
            ),
            f"{api}/taxonomy_terms/{{id}}": _get("taxonomy_term", "One term", _ref("taxonomy_term"), [ID], MISSING),
        },
        "schemas": schemas(),
    }
