"""The paths of the events plugin's routes, for the permission walk."""

from __future__ import annotations

from starlette.routing import Route

from plugins.evenemang.routes import evenemang_routes


def evenemang_paths() -> set[str]:
    return {route.path for route in evenemang_routes() if isinstance(route, Route)}
