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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import httpx
from starlette.routing import BaseRoute, Mount, Route, compile_path

from core.csrf import csrf_cookie_name
from tests.browser.server import LiveSite

#: Example queries for routes whose interesting state needs one (by route name).
EXAMPLE_QUERIES = {
    "search": ["q=körsång"],
    "associations": ["q=idrott", "kommun=Degerfors"],
    "catalogue": ["sak=Fotboll"],  # Fritidsbanken: one thing's items, one by one
    "events": ["barn=1", "q=möte", "gratis=1&tillganglig=1"],
    "month": ["manad=2030-02"],
    "network": ["sajt=egen"],
}
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


#: ``<link>`` relations worth following: announced feeds and feed archives.
FOLLOWED_RELS = {"alternate", "prev-archive", "next-archive", "current", "icon", "apple-touch-icon"}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <a> in pages; <link> for the feeds a page announces, the site's
        # icons and, inside an Atom feed, its archive pages (RFC 5005 prev-archive).
        values = dict(attrs)
        href = values.get("href")
        if not href:
            return
        if tag == "a" or (tag == "link" and set((values.get("rel") or "").split()) & FOLLOWED_RELS):
            self.hrefs.append(href)


def local_links(html: str, base_url: str = "") -> list[str]:
    """The site's own links in a page or feed, as paths: relative ones, and
    absolute ones on the site's public base URL (feeds use those)."""
    parser = _Links()
    parser.feed(html)
    paths = []
    for href in parser.hrefs:
        if base_url and href.startswith(base_url.rstrip("/") + "/"):
            href = href[len(base_url.rstrip("/")) :]
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
    redirects: dict[str, str] = field(default_factory=dict)  # route template -> where its seed led (token links)
    not_pages: dict[str, str] = field(default_factory=dict)  # route template -> content type (feeds, JSON, CSV)


FEED_TYPES = ("application/atom+xml", "application/rss+xml", "application/xml")


def walk(live: LiveSite, client: httpx.Client, seeds: Iterable[str] = (), enter: Iterable[str] = ()) -> PageWalk:
    """The pages this visitor can open: first the ``enter`` links (a sign-in
    link in a message, which may redirect) and ``seeds`` (URLs a visitor has
    from outside the site, such as an id from the API), then
    every route without parameters, then the site's own links until each
    route with parameters has a value. An ``enter`` link that redirects
    counts as reached, and the page it leads to is walked."""
    routes = list(get_routes(list(live.app.routes)))
    base_url = live.site.absolute_url("")
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
        content_type = response.headers.get("content-type", "")
        if response.status_code == 200 and content_type.startswith("text/html"):
            result.pages[url] = template
            links.update(local_links(response.text, base_url))
        elif response.status_code == 200 and content_type.startswith(FEED_TYPES):
            links.update(local_links(response.text, base_url))
            result.not_pages.setdefault(template, content_type)
            result.skipped.setdefault(template, f"not an HTML page ({content_type})")
        elif response.status_code == 200:
            result.not_pages.setdefault(template, content_type)
            result.skipped.setdefault(template, f"not an HTML page ({content_type})")
        elif response.status_code != 200:
            result.skipped.setdefault(template, f"answers {response.status_code} to this visitor")

    def route_of(url: str) -> GetRoute | None:
        """The route the router would pick for a link (first match wins)."""
        path = urlsplit(url).path
        return next((r for r in routes if r.regex.match(path)), None)

    for link in enter:
        route = route_of(link)
        assert route is not None, f"the sign-in link {link} matches no route"
        response = client.get(link)
        if response.is_redirect:
            target = urlsplit(response.headers["location"])
            result.redirects[route.path] = target.path + (f"?{target.query}" if target.query else "")
            destination = route_of(result.redirects[route.path])
            if destination is not None:
                visit(result.redirects[route.path], destination.path)
        else:
            tried.add(link)
            result.pages[link] = route.path  # a page of its own (a member's personal link)
            links.update(local_links(response.text, base_url))
    for seed in seeds:
        route = route_of(seed)
        assert route is not None, f"the seed {seed} matches no route"
        visit(seed, route.path)

    for route in routes:
        if not route.has_params:
            visit(route.path, route.path)
            for query in EXAMPLE_QUERIES.get(route.name, []):
                visit(f"{route.path}?{query}", route.path)

    # Fill path parameters from the site's own links until nothing new turns up.
    seeded = set(result.pages.values()) | set(result.redirects) | set(result.not_pages)
    pending = [r for r in routes if r.has_params and r.path not in seeded]
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
