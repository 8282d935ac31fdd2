"""Real sites on real uvicorn servers on 127.0.0.1, for federation tests.

``Network`` makes migrated sites whose ``base_url`` is the address their
server listens on (a free port), each with its own database of the kind
under test, and serves them in background threads. ``Browser`` is a small
httpx client that logs in and submits forms with the CSRF token, as a
person's browser would.
"""

from __future__ import annotations

import re
import textwrap
import threading
import time
from collections.abc import Callable
from html import unescape
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette

from core import migrate
from core.accounts import create_user
from core.app import create_app
from core.models import Role
from core.site import Site
from core.testing import free_port  # worker-safe under pytest-xdist
from tests.conftest import PASSWORD

ADMIN = "admin@natverk.example"


class Server:
    """uvicorn serving one ASGI app in a thread; ``stop()`` and ``start()``
    again on the same port (a peer that goes down and comes back)."""

    def __init__(self, app: Any, port: int) -> None:
        self.app, self.port = app, port
        self.server: uvicorn.Server | None = None
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        # A minute: the lifespan's start-up work can take long beside a
        # browser test in CI (15 s once ran out there, with no error shown).
        deadline = time.monotonic() + 60
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError(f"server on port {self.port} stopped while starting (port taken?)")
            if time.monotonic() > deadline:
                raise RuntimeError(f"server on port {self.port} did not start within 60 s")
            time.sleep(0.02)

    def stop(self) -> None:
        if self.server is not None and self.thread is not None:
            self.server.should_exit = True
            self.thread.join(15)
            self.server = self.thread = None


def peers_toml(peers: list[tuple[str, str]], external: list[tuple[str, str]] | None = None) -> str:
    body = ""
    for name, url in peers:
        body += f'\n[[federation.peers]]\nname = "{name}"\nurl = "{url}"\nallow_private = true\n'
    for name, url in external or []:
        body += f'\n[[federation.external]]\nname = "{name}"\nurl = "{url}"\nallow_private = true\nmax_items = 3\n'
    return body


class Network:
    """Sites for one test; every server is stopped at the end."""

    def __init__(self, root: Path, database_url: Callable[[str], str]) -> None:
        self.root = root
        self.database_url = database_url
        self.sites: dict[str, Site] = {}
        self.servers: dict[str, Server] = {}
        self.ports: dict[str, int] = {}

    def port(self, slug: str) -> int:
        if slug not in self.ports:
            self.ports[slug] = free_port()
        return self.ports[slug]

    def url(self, slug: str) -> str:
        return f"http://127.0.0.1:{self.port(slug)}"

    def site(
        self,
        slug: str,
        name: str,
        peers: list[str] = (),  # type: ignore[assignment]
        *,
        push: bool = True,
        poll_interval: int = 1,
        lease_seconds: int = 3600,
        external: list[tuple[str, str]] | None = None,
        extra_peers: list[tuple[str, str]] | None = None,
        start: bool = True,
        plugins: tuple[str, ...] = ("webportal",),
        extra: str = "",
    ) -> Site:
        folder = self.root / "sites" / slug
        folder.mkdir(parents=True, exist_ok=True)
        peer_list = [(self.sites[p].name if p in self.sites else p.title(), self.url(p)) for p in peers]
        peer_list += extra_peers or []
        plugin_list = ", ".join(f'"{p}"' for p in plugins)
        body = textwrap.dedent(
            f"""
            [site]
            name = "{name}"
            base_url = "{self.url(slug)}"
            plugins = [{plugin_list}]

            [federation]
            push = {"true" if push else "false"}
            poll_interval = {poll_interval}
            timeout = 2
            lease_seconds = {lease_seconds}
            """
        )
        body += peers_toml(peer_list, external)
        body += '\n[plugin.webportal]\nmunicipalities = ["Karlskoga", "Degerfors", "Filipstad"]\n'
        if "evenemang" in plugins:
            body += '\n[plugin.evenemang]\nprefix = "/"\n'
        body += "\n" + extra  # more tables: [mail] for a site that sends mail
        (folder / "site.toml").write_text(body, encoding="utf-8")
        site = Site.load(folder, database_url=self.database_url(slug), data_dir=self.root / "data" / slug)
        migrate.upgrade(site)
        with site.session() as db:
            create_user(db, ADMIN, "Ada Admin", PASSWORD, Role.ADMIN)
        self.sites[slug] = site
        if start:
            self.start(slug)
        return site

    def start(self, slug: str) -> Server:
        server = Server(create_app(self.sites[slug]), self.port(slug))
        server.start()
        self.servers[slug] = server
        return server

    def stop(self, slug: str) -> None:
        self.servers.pop(slug).stop()

    def serve(self, slug: str, app: Starlette) -> Server:
        """Serve any ASGI app (a hostile peer, an outside feed) on the slug's port."""
        server = Server(app, self.port(slug))
        server.start()
        self.servers[slug] = server
        return server

    def close(self) -> None:
        for server in list(self.servers.values()):
            server.stop()
        for site in self.sites.values():
            site.dispose()


class Browser:
    """A person at a real browser: cookies, CSRF tokens, redirects."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=10)

    def close(self) -> None:
        self.http.close()

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(path, **kwargs)

    def token(self) -> str:
        if not self._csrf_cookie():
            self.http.get("/konto/logga-in")
        return self._csrf_cookie()

    def _csrf_cookie(self) -> str:
        # Named per site (csrftoken_<slug>); this browser talks to one site.
        return next((c.value or "" for c in self.http.cookies.jar if c.name.startswith("csrftoken_")), "")

    def submit(self, path: str, data: dict[str, str]) -> httpx.Response:
        return self.http.post(path, data={"csrftoken": self.token(), **data})

    def login(self, email: str = ADMIN) -> None:
        response = self.submit("/konto/logga-in", {"email": email, "password": PASSWORD})
        assert response.status_code == 303, response.text[:300]

    def text(self, path: str) -> str:
        response = self.get(path)
        assert response.status_code == 200, f"{path}: {response.status_code}"
        return text_of(response.text)


def text_of(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def eventually(check: Callable[[], Any], timeout: float = 15.0, interval: float = 0.05, message: str = "") -> Any:
    """Wait until ``check()`` is truthy; fail with ``message`` otherwise."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(message or f"condition not met within {timeout} s (last: {last!r})")
