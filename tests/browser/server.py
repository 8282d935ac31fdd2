"""A demo site served by a real uvicorn server on a free 127.0.0.1 port
(the OS picks it: the socket is bound to port 0).

The site is loaded from ``sites/<slug>/`` as it is, but with its data in a
temporary folder (SQLite), migrated and with the demo data loaded, so the
browser sees exactly what ``paraply demo`` shows a person. The server runs in
a thread of the test process; the browser talks to it over TCP like any
other client.
"""

from __future__ import annotations

import fcntl
import shutil
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
from core.testing import free_port  # noqa: F401  (re-exported; worker-safe under pytest-xdist)

REPO = Path(__file__).resolve().parents[2]
SITES = REPO / "sites"


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


def _load(slug: str, data_dir: Path) -> Site:
    return Site.load(SITES / slug, database_url=f"sqlite:///{data_dir / 'site.db'}", data_dir=data_dir)


def _copy_prepared(slug: str, data_dir: Path, cache: Path) -> None:
    """Fill ``data_dir`` with a copy of the demo site's migrated database and
    files, made once per test run in ``cache`` by whichever xdist worker
    asks first (the others wait on the lock, then copy): migrating and
    loading the demo data takes 5-40 s a site, and every worker that runs
    browser tests needs all four. Each worker serves its own copy."""
    cache.mkdir(parents=True, exist_ok=True)
    prepared = cache / slug
    with open(cache / f"{slug}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (prepared / ".ready").exists():
            shutil.rmtree(prepared, ignore_errors=True)
            prepared.mkdir()
            site = _load(slug, prepared)
            migrate.upgrade(site)
            load_demo(site, echo=lambda _msg: None)
            site.dispose()
            (prepared / ".ready").touch()
    shutil.copytree(prepared, data_dir, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".ready", "*.lock"))


def start_demo_site(slug: str, data_dir: Path, cache: Path | None = None) -> LiveSite:
    """The demo site ``slug`` served from ``data_dir``; with ``cache`` (a
    folder shared by the run's workers) its data is copied from there."""
    if cache is None:
        site = _load(slug, data_dir)
        migrate.upgrade(site)
        load_demo(site, echo=lambda _msg: None)
    else:
        _copy_prepared(slug, data_dir, cache)
        site = _load(slug, data_dir)
    # The OS picks the port as the socket is bound: nothing can take it
    # between choosing and listening (several xdist workers start demo sites).
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    app = create_app(site)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"uvicorn-{slug}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"uvicorn did not start for site {slug}")
        time.sleep(0.05)
    return LiveSite(site, f"http://127.0.0.1:{port}", app, server, thread)
