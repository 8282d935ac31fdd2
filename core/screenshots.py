"""``paraply screenshots OUT``: the main pages of the demo sites at desktop
and phone widths, as PNG files and an ``index.html`` that shows each page's
two sizes side by side. For reviews; the files are not committed.

Each site is served from a temporary copy of its data (migrated, with demo
data) by a real uvicorn server on a free 127.0.0.1 port, and photographed by
Debian's Chromium through Playwright (from the ``test`` extra), which never
downloads a browser of its own.
"""

from __future__ import annotations

import html
import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from playwright.sync_api import ViewportSize

    from core.contributions import NavItem
    from core.site import Site

WIDTHS: dict[str, ViewportSize] = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 740}}
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
def serve_demo(folder: Path, data_dir: Path) -> Iterator[tuple[Site, str]]:
    """A site with fresh demo data, served on 127.0.0.1 in a thread; yields
    the site and its URL."""
    import uvicorn

    from core import migrate
    from core.app import create_app
    from core.demo import load_demo
    from core.site import Site

    data_dir.mkdir(parents=True, exist_ok=True)
    site = Site.load(folder, database_url=f"sqlite:///{data_dir / 'site.db'}", data_dir=data_dir)
    migrate.upgrade(site)
    load_demo(site, echo=lambda _msg: None)
    server = uvicorn.Server(
        uvicorn.Config(create_app(site), host="127.0.0.1", port=free_port(), log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name=f"uvicorn-{site.slug}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise click.ClickException(f"Servern för {site.slug} startade inte.")
        time.sleep(0.05)
    try:
        yield site, f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        site.dispose()


def main_pages(site: Site, url: str) -> list[tuple[str, str]]:
    """(name, path): the front page, the main menu as a visitor sees it, the
    site search with a query, and the login page."""
    import httpx
    from starlette.requests import Request

    from core.plugins import collect

    request = Request({"type": "http", "method": "GET", "path": "/", "headers": [], "query_string": b""})
    request.state.user = None
    nav: list[NavItem] = sorted(collect(site.pm, "nav_items", site=site, request=request), key=lambda n: n.order)
    pages = [("start", "/")]
    pages += [(item.url.strip("/").replace("/", "-") or "start", item.url) for item in nav if item.url != "/"]
    pages += [("sok", "/sok?q=kör"), ("logga-in", "/konto/logga-in")]
    seen: set[str] = set()
    result = []
    with httpx.Client(base_url=url) as client:
        for name, path in pages:
            if path in seen or client.get(path).status_code != 200:
                continue
            seen.add(path)
            result.append((name, path))
    return result


@click.command()
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--site", "sites", multiple=True, help="Site(s) to photograph; default: every site under sites/.")
@click.option("--lang", default="sv", show_default=True, help="Language of the pages (sv or en).")
def screenshots(out: Path, sites: tuple[str, ...], lang: str) -> None:
    """Render the main pages of the demo sites at desktop and phone widths to
    PNG files in OUT, with an index.html showing them side by side."""
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
    with sync_playwright() as playwright, tempfile.TemporaryDirectory(prefix="paraply-shots-") as tmp:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        for folder in folders:
            with serve_demo(folder, Path(tmp) / folder.name) as (site, url):
                rows.append(f"<h2>{html.escape(site.name)}</h2>")
                for name, path in main_pages(site, url):
                    cells = []
                    for width, viewport in WIDTHS.items():
                        page = browser.new_page(viewport=viewport)
                        sep = "&" if "?" in path else "?"
                        page.goto(f"{url}{path}{sep}lang={lang}", wait_until="load")
                        file = f"{folder.name}-{name}-{width}.png"
                        page.screenshot(path=str(out / file), full_page=True)
                        page.close()
                        cells.append(f'<figure><img src="{file}" alt=""><figcaption>{width}</figcaption></figure>')
                    rows.append(
                        f'<section><h3>{html.escape(path)}</h3><div class="pair">{"".join(cells)}</div></section>'
                    )
                    click.echo(f"{folder.name} {path}")
        browser.close()
    (out / "index.html").write_text(
        '<!doctype html><html lang="sv"><meta charset="utf-8"><title>Skärmbilder</title>'
        "<style>body{font-family:system-ui;margin:1rem}.pair{display:flex;gap:1rem;align-items:flex-start}"
        "figure{margin:0}img{border:1px solid #999;max-width:100%}.pair figure:first-child{flex:3}"
        ".pair figure:last-child{flex:1}</style><h1>Skärmbilder</h1>" + "".join(rows),
        encoding="utf-8",
    )
    click.echo(f"Klart: {out / 'index.html'}")
