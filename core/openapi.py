"""``/-/openapi.json``: one OpenAPI 3.1 description of the site's JSON APIs.

Core describes its own (``/-/plugins.json``); each plugin adds its endpoints
through the ``openapi_paths`` hook (federation: ``/.well-known/paraply``;
LISA: the HSDS 3.0 read API). Clients and tools such as schemathesis read
it; ``tests/test_openapi.py`` calls every path it lists and validates each
answer against the schema it declares.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from core import __version__
from core.site import Site

ERROR = {
    "type": "object",
    "properties": {"status": {"type": "integer"}, "message": {"type": "string"}},
    "required": ["message"],
}

PLUGIN_LIST = {
    "type": "object",
    "required": ["site", "plugins", "installed_not_enabled"],
    "properties": {
        "site": {"type": "string"},
        "plugins": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "version", "source", "prefix", "hooks"],
                "properties": {
                    "name": {"type": "string"},
                    "version": {"type": "string"},
                    "source": {"type": "string"},
                    "prefix": {"type": "string"},
                    "hooks": {"type": "array", "items": {"type": "string"}},
                    "templates": {"type": "boolean"},
                    "static": {"type": "boolean"},
                    "migrations": {"type": "boolean"},
                },
            },
        },
        "installed_not_enabled": {"type": "array", "items": {"type": "string"}},
    },
}


def json_answer(schema_name: str, description: str) -> dict[str, Any]:
    """A 200 answer whose JSON body is ``#/components/schemas/<schema_name>``."""
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}},
    }


def document(site: Site) -> dict[str, Any]:
    paths: dict[str, Any] = {
        "/-/plugins.json": {
            "get": {
                "summary": "The site's plugins",
                "operationId": "core_plugins",
                "responses": {"200": json_answer("PluginList", "Enabled plugins, in order")},
            }
        }
    }
    schemas: dict[str, Any] = {"PluginList": PLUGIN_LIST, "Error": ERROR}
    for part in site.pm.hook.openapi_paths(site=site):
        if not part:
            continue
        paths.update(part.get("paths", {}))
        schemas.update(part.get("schemas", {}))
    return {
        "openapi": "3.1.0",
        "info": {"title": f"{site.name}: Paraply JSON API", "version": __version__},
        "servers": [{"url": site.base_url}],
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": schemas},
    }


def openapi_json(request: Request) -> Response:
    site: Site = request.app.state.site
    return JSONResponse(document(site), headers={"Access-Control-Allow-Origin": "*"})
