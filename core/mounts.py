"""Mounting plugins that share the site root.

A Starlette ``Mount("")`` matches every path and answers 404 itself for the
paths its routes do not know, so a second plugin mounted at the root (the
webportal serves ``/``, federation serves ``/natverket/...`` and
``/.well-known/paraply``) would never be reached. ``RootMount`` claims only
the paths its own routes match; everything else goes on to the next route.

A Starlette ``Mount`` matches the rest of the path with ``.*``, which stops
at a newline: ``/hjalp/api/services/x%0A`` reached no plugin and got the
site's HTML 404, where LISA's API declares a JSON one (schemathesis found
it). ``PluginMount`` matches any character, so such a path reaches the
plugin, whose route answers as it does for any unknown id.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from starlette.routing import BaseRoute, Match, Mount
from starlette.types import Scope


class PluginMount(Mount):
    """A plugin's ``Mount`` under its prefix whose path may hold a newline."""

    def __init__(self, path: str, routes: Sequence[BaseRoute], name: str) -> None:
        super().__init__(path, routes=routes, name=name)
        self.path_regex = re.compile(self.path_regex.pattern, re.DOTALL)


class RootMount(PluginMount):
    """A ``Mount`` at the site root that matches only what its routes match
    (a wrong method still counts, so the visitor gets 405, not 404)."""

    def __init__(self, routes: Sequence[BaseRoute], name: str) -> None:
        super().__init__("", routes=routes, name=name)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child_scope = super().matches(scope)
        if match is Match.NONE:
            return match, child_scope
        inner = {**scope, **child_scope}
        best = Match.NONE
        for route in self.routes:
            found, _ = route.matches(inner)
            if found is Match.FULL:
                return Match.FULL, child_scope
            if found is Match.PARTIAL:
                best = Match.PARTIAL
        return best, child_scope
