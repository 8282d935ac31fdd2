"""One URL builder: links come from route names, never from pasted paths.

Every route has a name, and a plugin's routes are mounted under the plugin's
name (``Mount(prefix, name=plugin)``), so ``"lisa:service"`` is LISA's
service page wherever the site mounts LISA. ``url_for`` gives the path, for
links and redirects on the site's own pages; ``absolute_url_for`` prefixes
the site's ``base_url``, for feeds, e-mail and anything read elsewhere. Both
work without a request (the daily jobs, the CLI), which Starlette's
``request.url_for`` does not, and the absolute form uses the configured
address rather than whatever Host a request came with.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode
from weakref import WeakKeyDictionary

from starlette.routing import BaseRoute, Mount, NoMatchFound, Router

if TYPE_CHECKING:
    from core.site import Site

_routers: WeakKeyDictionary[Site, Router] = WeakKeyDictionary()
#: Per site: (name, parameter names) -> the static path of the mounts above
#: the route that builds it, that route, and the name it knows itself by.
#: Whether a route answers a name is decided by the name and the parameters'
#: names alone (never their values), so the walk is done once: Starlette's
#: raises and catches an exception at every route before the one that
#: answers, in each mount, which cost milliseconds on a page of 500 links.
_answering: WeakKeyDictionary[Site, dict[tuple[str, frozenset[str]], tuple[str, BaseRoute, str]]] = WeakKeyDictionary()


def _router(site: Site) -> Router:
    """The site's routes, gathered once per site, without building an app."""
    router = _routers.get(site)
    if router is None:
        from core.app import plugin_routes
        from core.routes import core_routes

        router = _routers[site] = Router(routes=[*core_routes(site), *plugin_routes(site)])
    return router


def url_for(site: Site, name: str, /, *, query: dict[str, object] | None = None, **params: object) -> str:
    """The path of the route called ``name`` (``"plugin:route"``, or a core
    route such as ``"login"``) with its path parameters filled in, plus an
    encoded ``query`` string when given (None values left out).
    Raises ``starlette.routing.NoMatchFound`` for a name or parameters that
    match no route, so a broken link fails in tests instead of in a browser."""
    path = _path_for(site, name, params)
    kept = {key: value for key, value in (query or {}).items() if value is not None}
    return f"{path}?{urlencode(kept)}" if kept else path


def _path_for(site: Site, name: str, params: dict[str, object]) -> str:
    """``Router.url_path_for``, straight at the route that answered before."""
    known = _answering.setdefault(site, {})
    key = (name, frozenset(params))
    answer = known.get(key)
    if answer is None:
        answer = known[key] = _answering_route(_router(site).routes, name, params, "")
    prefix, route, own_name = answer
    return prefix + str(route.url_path_for(own_name, **params))


def _answering_route(
    routes: list[BaseRoute], name: str, params: dict[str, object], prefix: str
) -> tuple[str, BaseRoute, str]:
    """The route in ``routes`` (looking inside named mounts with a fixed path)
    that builds ``name`` from ``params``, with the path in front of it."""
    for route in routes:
        if (
            isinstance(route, Mount)
            and route.name
            and name.startswith(route.name + ":")
            and "path" not in params
            and set(route.param_convertors) == {"path"}
        ):
            inner = prefix + route.path_format.replace("{path}", "").rstrip("/")
            try:
                return _answering_route(route.routes, name[len(route.name) + 1 :], params, inner)
            except NoMatchFound:
                continue
        try:
            route.url_path_for(name, **params)
        except NoMatchFound:
            continue
        return prefix, route, name
    raise NoMatchFound(name, params)


def absolute_url_for(site: Site, name: str, /, *, query: dict[str, object] | None = None, **params: object) -> str:
    """``url_for`` with the site's ``base_url`` in front: for feeds and e-mail."""
    return site.absolute_url(url_for(site, name, query=query, **params))
