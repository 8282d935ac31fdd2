"""The list of pages to check, built from the app itself rather than by hand.

Every GET route is found by walking the Starlette app's routes (recursing into
each plugin's ``Mount``), so a page a plugin adds is checked without anyone
editing a list. A route with path parameters (``/foreningar/{slug}``) gets a
real value from the demo data: the walk follows the site's own links and takes
the first link that matches the route. A route that no link matches is
reported with the reason, never silently dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import httpx
from starlette.routing import BaseRoute, Mount, Route, compile_path

from core.csrf import csrf_cookie_name
from tests.browser.server import LiveSite

#: Example queries for routes whose interesting state needs one (by route name).
EXAMPLE_QUERIES = {"search": ["q=körsång"], "associations": ["q=idrott", "kommun=Degerfors"]}
#: A missing page, to check the error page too.
NOT_FOUND = "/-/finns-inte-paraply"


@dataclass(frozen=True)
class GetRoute:
    path: str  # the full template, e.g. "/foreningar/{slug}"
    name: str
    regex: re.Pattern[str]

    @property
    def has_params(self) -> bool:
        return "{" in self.path


def get_routes(routes: list[BaseRoute], prefix: str = "") -> Iterator[GetRoute]:
    """Every route that answers GET, with its full path, Mounts recursed."""
    for route in routes:
        if isinstance(route, Mount):
            if route.routes:  # static files have no routes: skip them
                yield from get_routes(list(route.routes), prefix + route.path)
        elif isinstance(route, Route) and route.methods and "GET" in route.methods:
            full = prefix + route.path
            regex, _fmt, _convertors = compile_path(full)
            yield GetRoute(full, route.name or full, regex)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def local_links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    paths = []
    for href in parser.hrefs:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return paths


def http_client(live: LiveSite, login: tuple[str, str] | None) -> httpx.Client:
    """A plain HTTP client, logged in through the form when given a login."""
    client = httpx.Client(base_url=live.url, timeout=30)
    if login:
        client.get("/konto/logga-in")
        email, password = login
        response = client.post(
            "/konto/logga-in",
            data={
                "csrftoken": client.cookies.get(csrf_cookie_name(live.site.slug)) or "",
                "email": email,
                "password": password,
            },
        )
        assert response.status_code == 303, f"demo login {email} failed: {response.status_code}"
    return client


@dataclass
class PageWalk:
    """The HTML pages one visitor can open (status 200), and the routes the
    walk could not reach, with the reason."""

    pages: dict[str, str] = field(default_factory=dict)  # url -> route template
    skipped: dict[str, str] = field(default_factory=dict)  # route template -> reason
    broken: dict[str, str] = field(default_factory=dict)  # url -> what went wrong (5xx, dropped connection)


def walk(live: LiveSite, client: httpx.Client) -> PageWalk:
    routes = list(get_routes(list(live.app.routes)))
    result = PageWalk()
    links: set[str] = set()
    tried: set[str] = set()

    def visit(url: str, template: str) -> None:
        if url in tried:
            return
        tried.add(url)
        try:
            response = client.get(url)
        except httpx.HTTPError as exc:
            result.broken[url] = f"the server dropped the request ({exc!r}); see the server's log above"
            return
        if response.status_code >= 500:
            result.broken[url] = f"answers {response.status_code}"
            return
        if response.status_code == 200 and response.headers.get("content-type", "").startswith("text/html"):
            result.pages[url] = template
            links.update(local_links(response.text))
        elif response.status_code != 200:
            result.skipped.setdefault(template, f"answers {response.status_code} to this visitor")
        else:
            result.skipped.setdefault(template, f"not an HTML page ({response.headers.get('content-type')})")

    for route in routes:
        if not route.has_params:
            visit(route.path, route.path)
            for query in EXAMPLE_QUERIES.get(route.name, []):
                visit(f"{route.path}?{query}", route.path)

    def route_of(url: str) -> GetRoute | None:
        """The route the router would pick for a link (first match wins)."""
        path = urlsplit(url).path
        return next((r for r in routes if r.regex.match(path)), None)

    # Fill path parameters from the site's own links until nothing new turns up.
    pending = [r for r in routes if r.has_params]
    progress = True
    while pending and progress:
        progress = False
        for route in list(pending):
            match = next((u for u in sorted(links) if route_of(u) is route), None)
            if match:
                pending.remove(route)
                visit(urlsplit(match).path, route.path)
                progress = True
    for route in pending:
        result.skipped[route.path] = "no link on any page this visitor can open matches it"
    for template in list(result.skipped):
        if template in result.pages.values():
            del result.skipped[template]  # reached after all (another example)
    response = client.get(NOT_FOUND)
    if response.status_code == 404:
        result.pages[NOT_FOUND] = "(404 page)"
    return result
