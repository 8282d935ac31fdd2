"""``paraply screenshots OUT``: every page type of the demo sites, at desktop
(1280 × 800) and phone (375 × 740) widths, in Swedish and English, as a
visitor and as the site's admin, as PNG files and an ``index.html`` to
browse them. For visual reviews (issue 17); the files are not committed.

A page type is a route of the app: the command follows the links a visitor
(or the admin) can reach from the front page, the menu and the admin
overview, and keeps the first address it finds for each route, so a new
plugin's pages are photographed without a list to keep. ``--path`` gives
the addresses instead.

Each site is served from a temporary copy of its data (migrated, with demo
data) by a real uvicorn server on a free 127.0.0.1 port, and photographed by
Debian's Chromium through Playwright (from the ``test`` extra), which never
downloads a browser of its own.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    import httpx
    from playwright.sync_api import Browser, ViewportSize
    from starlette.applications import Starlette

    from core.site import Site

WIDTHS: dict[str, ViewportSize] = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 740}}
LANGUAGES = ("sv", "en")
ROLES = ("anonymous", "admin", "editor")
#: Links not followed: files, feeds, machine endpoints and the language switch.
SKIP = re.compile(
    r"^/(static|-/websub|-/flode|\.well-known)/|\.(csv|json|ics|xml|opml|png|jpe?g|webp|svg|pdf)$|[?&]lang="
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("PARAPLY_CHROMIUM"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file():
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve_demo(folder: Path, data_dir: Path) -> Iterator[tuple[Site, Starlette, str]]:
    """A site with fresh demo data, served on 127.0.0.1 in a thread; yields
    the site, its app and its URL."""
    import uvicorn

    from core import migrate
    from core.app import create_app
    from core.demo import load_demo
    from core.site import Site

    data_dir.mkdir(parents=True, exist_ok=True)
    site = Site.load(folder, database_url=f"sqlite:///{data_dir / 'site.db'}", data_dir=data_dir)
    migrate.upgrade(site)
    load_demo(site, echo=lambda _msg: None)
    app = create_app(site)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, name=f"uvicorn-{site.slug}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise click.ClickException(f"Servern för {site.slug} startade inte.")
        time.sleep(0.05)
    try:
        yield site, app, f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        site.dispose()


@dataclass
class Shot:
    """One page type to photograph: the route it belongs to and an address."""

    route: str
    path: str


def route_patterns(app: Starlette) -> list[tuple[str, re.Pattern[str]]]:
    """(path template, regex) of every GET route, through every Mount."""
    from starlette.routing import Mount, Route, compile_path

    found: list[tuple[str, re.Pattern[str]]] = []

    def walk(routes: Sequence[object], prefix: str) -> None:
        for route in routes:
            if isinstance(route, Mount):
                walk(route.routes or [], prefix + route.path)
            elif isinstance(route, Route) and "GET" in (route.methods or set()):
                template = prefix + route.path
                found.append((template, compile_path(template)[0]))

    walk(app.routes, "")
    return found


def route_of(patterns: list[tuple[str, re.Pattern[str]]], path: str) -> str | None:
    bare = path.split("?", 1)[0]
    return next((template for template, regex in patterns if regex.match(bare)), None)


def log_in(client: httpx.Client, site: Site, role: str) -> None:
    """Log the client in as the demo account for ``role`` (core.demo)."""
    from core.demo import DEMO_PASSWORD, demo_accounts
    from core.models import Role

    wanted = Role.ADMIN if role == "admin" else Role.EDITOR
    email = next(e for e, _name, r in demo_accounts(site) if r == wanted)
    client.get("/konto/logga-in")
    token = next((c.value for c in client.cookies.jar if c.name.startswith("csrftoken")), "")
    answer = client.post(
        "/konto/logga-in",
        data={"csrftoken": token, "email": email, "password": DEMO_PASSWORD},
        follow_redirects=False,
    )
    if answer.status_code != 303:
        raise click.ClickException(f"Kunde inte logga in som {email} på {site.slug} ({answer.status_code}).")


def page_types(
    client: httpx.Client, patterns: list[tuple[str, re.Pattern[str]]], starts: list[str], limit: int
) -> list[Shot]:
    """The first address of each route reachable by links from ``starts``
    (breadth first, at most ``limit`` pages read), in the order found."""
    from html.parser import HTMLParser
    from urllib.parse import urljoin, urlsplit

    class Links(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.found: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            href = dict(attrs).get("href")
            if tag == "a" and href:
                self.found.append(href)

    base = str(client.base_url)
    queue = list(dict.fromkeys(starts))
    seen = set(queue)
    shots: dict[str, Shot] = {}
    read = 0
    while queue and read < limit:
        path = queue.pop(0)
        template = route_of(patterns, path)
        if template is None or template in shots:
            continue
        answer = client.get(path)
        read += 1
        if answer.status_code != 200 or not answer.headers.get("content-type", "").startswith("text/html"):
            continue
        shots.setdefault(template, Shot(template, path))
        parser = Links()
        parser.feed(answer.text)
        for href in parser.found:
            target = urlsplit(urljoin(base + path, href))
            if f"{target.scheme}://{target.netloc}" != base.rstrip("/"):
                continue
            link = target.path + (f"?{target.query}" if target.query else "")
            if link in seen or SKIP.search(link) or "logga-ut" in link:
                continue
            seen.add(link)
            known = route_of(patterns, link)
            if known is not None and known not in shots:
                queue.append(link)
    return list(shots.values())


def menu_paths(site: Site) -> list[str]:
    """The main menu's addresses as a visitor sees it."""
    from starlette.requests import Request

    from core.plugins import collect

    request = Request({"type": "http", "method": "GET", "path": "/", "headers": [], "query_string": b""})
    request.state.user = None
    return [item.url for item in collect(site.pm, "nav_items", site=site, request=request)]


def start_paths(site: Site, role: str) -> list[str]:
    """Where the walk starts: the front page, the menu, a search (reached by
    a form, not a link) and, for the admin, the admin overview and /-/stil."""
    starts = ["/", *menu_paths(site), "/sok?q=k%C3%B6r"]
    return starts + (["/-/admin", "/-/stil"] if role == "admin" else [])


def file_name(*parts: str) -> str:
    return "-".join(re.sub(r"[^a-z0-9]+", "-", p.lower()).strip("-") or "start" for p in parts)[:150] + ".png"


def photograph(
    browser: Browser, url: str, cookies: httpx.Cookies, shots: list[Shot], prefix: str, langs: Sequence[str], out: Path
) -> list[str]:
    """Each shot at each width in each language; returns index.html rows."""
    rows = []
    for number, shot in enumerate(shots):
        cells = []
        for lang in langs:
            for width, viewport in WIDTHS.items():
                context = browser.new_context(viewport=viewport, locale="sv-SE")
                context.add_cookies([{"name": c.name, "value": c.value or "", "url": url} for c in cookies.jar])
                page = context.new_page()
                sep = "&" if "?" in shot.path else "?"
                page.goto(f"{url}{shot.path}{sep}lang={lang}", wait_until="load")
                file = file_name(prefix, f"{number:02d}", shot.path, lang, width)
                page.screenshot(path=str(out / file), full_page=True)
                context.close()
                cells.append(
                    f'<figure class="{width}"><a href="{file}"><img src="{file}" alt="" loading="lazy"></a>'
                    f"<figcaption>{lang}, {width}</figcaption></figure>"
                )
        rows.append(
            f"<section><h4>{html.escape(shot.path)} <small>({html.escape(shot.route)})</small></h4>"
            f'<div class="shots">{"".join(cells)}</div></section>'
        )
    return rows


INDEX_STYLE = (
    "body{font-family:system-ui;margin:1rem}.shots{display:flex;gap:1rem;align-items:flex-start;overflow-x:auto}"
    "figure{margin:0}figure.desktop{flex:0 0 32rem}figure.phone{flex:0 0 10rem}img{border:1px solid #999;width:100%}"
    "small{color:#555;font-weight:400}"
)


@click.command()
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--site", "sites", multiple=True, help="Site(s) to photograph; default: every site under sites/.")
@click.option("--lang", "langs", multiple=True, default=LANGUAGES, show_default=True, help="Language(s) of the pages.")
@click.option(
    "--as",
    "roles",
    multiple=True,
    type=click.Choice(ROLES),
    default=("anonymous", "admin"),
    show_default=True,
    help="Whom to photograph as; a logged-in role adds the pages only it reaches.",
)
@click.option("--path", "paths", multiple=True, help="Photograph these addresses instead of every page type.")
@click.option("--max-pages", default=400, show_default=True, help="Pages read per role while finding page types.")
def screenshots(
    out: Path, sites: tuple[str, ...], langs: tuple[str, ...], roles: tuple[str, ...], paths: tuple[str, ...],
    max_pages: int,
) -> None:  # fmt: skip
    """Every page type of the demo sites at desktop and phone widths, in
    Swedish and English, as a visitor and as the admin: PNG files in OUT and
    an index.html to browse them."""
    import httpx

    from core.site import find_site_folder, sites_root

    executable = chromium_path()
    if executable is None:
        raise click.ClickException("Hittar ingen Chromium. Installera den: apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise click.ClickException("Playwright saknas. Installera testberoendena: pip install -e '.[test]'") from exc

    folders = [find_site_folder(s) for s in sites] or sorted(
        p for p in sites_root().iterdir() if (p / "site.toml").is_file()
    )
    out.mkdir(parents=True, exist_ok=True)
    rows: list[str] = []
    count = 0
    with sync_playwright() as playwright, tempfile.TemporaryDirectory(prefix="paraply-shots-") as tmp:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        for folder in folders:
            with serve_demo(folder, Path(tmp) / folder.name) as (site, app, url):
                rows.append(f"<h2>{html.escape(site.name)}</h2>")
                patterns = route_patterns(app)
                taken: set[str] = set()
                for role in roles:
                    with httpx.Client(base_url=url, timeout=60) as client:
                        if role != "anonymous":
                            log_in(client, site, role)
                        if paths:
                            shots = [Shot(route_of(patterns, p) or p, p) for p in paths]
                        else:
                            found = page_types(client, patterns, start_paths(site, role), max_pages)
                            # A logged-in role adds what it alone reaches (and the front page, for its header).
                            shots = [s for s in found if s.route not in taken or s.path == "/"]
                            taken |= {s.route for s in found}
                        rows.append(f"<h3>{html.escape(role)}</h3>")
                        rows += photograph(browser, url, client.cookies, shots, f"{folder.name}-{role}", langs, out)
                        count += len(shots) * len(langs) * len(WIDTHS)
                        click.echo(f"{folder.name}, {role}: {len(shots)} sidtyper")
        browser.close()
    (out / "index.html").write_text(
        '<!doctype html><html lang="sv"><meta charset="utf-8"><title>Skärmbilder</title>'
        f"<style>{INDEX_STYLE}</style><h1>Skärmbilder</h1><p>{count} bilder.</p>" + "".join(rows),
        encoding="utf-8",
    )
    click.echo(f"Klart: {count} bilder, {out / 'index.html'}")
