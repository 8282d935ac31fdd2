"""A demo site served by a real uvicorn server on a free 127.0.0.1 port.

The site is loaded from ``sites/<slug>/`` as it is, but with its data in a
temporary folder (SQLite), migrated and with the demo data loaded, so the
browser sees exactly what ``paraply demo`` shows a person. The server runs in
a thread of the test process; the browser talks to it over TCP like any
other client.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from starlette.applications import Starlette

from core import migrate
from core.app import create_app
from core.demo import DEMO_PASSWORD, demo_accounts, load_demo
from core.models import Role
from core.site import Site

REPO = Path(__file__).resolve().parents[2]
SITES = REPO / "sites"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def demo_site_slugs() -> list[str]:
    """Every site folder in the repository: each is a demo site."""
    return sorted(p.name for p in SITES.iterdir() if (p / "site.toml").is_file())


@dataclass
class LiveSite:
    site: Site
    url: str
    app: Starlette
    server: uvicorn.Server
    thread: threading.Thread

    def login_for(self, role: Role) -> tuple[str, str]:
        """The demo account's e-mail and password for a role."""
        email = next(email for email, _name, r in demo_accounts(self.site) if r == role)
        return email, DEMO_PASSWORD

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.site.dispose()


def start_demo_site(slug: str, data_dir: Path) -> LiveSite:
    site = Site.load(SITES / slug, database_url=f"sqlite:///{data_dir / 'site.db'}", data_dir=data_dir)
    migrate.upgrade(site)
    load_demo(site, echo=lambda _msg: None)
    port = free_port()
    app = create_app(site)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{slug}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"uvicorn did not start for site {slug}")
        time.sleep(0.05)
    return LiveSite(site, f"http://127.0.0.1:{port}", app, server, thread)
