"""Federation's part of ``/-/openapi.json``: the discovery document."""

from __future__ import annotations

from typing import Any

FEED = {
    "type": "object",
    "required": ["title", "atom", "rss"],
    "properties": {
        "title": {"type": "string"},
        "atom": {"type": "string", "format": "uri"},
        "rss": {"type": "string", "format": "uri"},
        "complete": {"type": "boolean"},
        "version": {"type": "string"},
    },
}

DISCOVERY = {
    "type": "object",
    "required": ["protocol", "name", "base_url", "feeds", "hub"],
    "properties": {
        "protocol": {"type": "string"},
        "name": {"type": "string"},
        "base_url": {"type": "string", "format": "uri"},
        "tag_authority": {"type": "string"},
        "hub": {"type": "string", "format": "uri"},
        "feeds": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/DiscoveryFeed"}},
        "peers": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "url"],
                "properties": {"name": {"type": "string"}, "url": {"type": "string", "format": "uri"}},
            },
        },
        "opml": {"type": "string", "format": "uri"},
    },
}


def paths() -> dict[str, Any]:
    return {
        "paths": {
            "/.well-known/paraply": {
                "get": {
                    "summary": "Discovery: the site's feeds, hub and peers (Paraply federation protocol v1)",
                    "operationId": "federation_discovery",
                    "responses": {
                        "200": {
                            "description": "The discovery document",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Discovery"}}},
                        },
                        "304": {"description": "Not modified (conditional GET)"},
                    },
                }
            }
        },
        "schemas": {"Discovery": DISCOVERY, "DiscoveryFeed": FEED},
    }
