"""The demo network: several sites, each a real uvicorn server on its own
port, plus local stand-ins for their outside feeds, in one process.

``paraply demo`` prepares each site (migrate, demo data) and then serves them
all from one asyncio loop, one ``uvicorn.Server`` per address, so the sites
talk to each other over real HTTP exactly as separate hosts would. Ctrl-C
stops every server gracefully (a second Ctrl-C forces it).

Addresses come from each ``site.toml``: Möckeln on 127.0.0.1:8000,
Kristinehamn on 8001, Storfors on 8002, Filipstad on 8003, the Forum
stand-in on 8009. ``moves`` relocates them (a port offset on the command
line, free ports in the tests): base URLs, peer URLs and external feed URLs
are rewritten together, so the sites still find each other.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import socket
import threading
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit

import uvicorn
from starlette.types import ASGIApp

from core.app import create_app
from core.demo_feeds import StandinFeed, feeds_app, standin_feeds
from core.proxies import SERVER_OPTIONS
from core.settings import SiteFile
from core.site import Site


class DemoError(Exception):
    """A problem starting the demo, worded for the person running it."""


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def port_of(origin: str) -> int:
    parts = urlsplit(origin)
    return parts.port or (443 if parts.scheme == "https" else 80)


def with_port(origin: str, port: int) -> str:
    parts = urlsplit(origin)
    return f"{parts.scheme}://{parts.hostname}:{port}"


def _move(url: str, moves: Mapping[str, str]) -> str:
    origin = origin_of(url)
    return moves[origin] + url[len(origin) :] if origin in moves else url


def relocated_config(config: SiteFile, moves: Mapping[str, str]) -> SiteFile:
    """``config`` with every base, peer and external feed URL whose origin is
    in ``moves`` pointed at the new origin."""
    federation = config.federation.model_copy(
        update={
            "peers": [p.model_copy(update={"url": _move(p.url, moves)}) for p in config.federation.peers],
            "external": [e.model_copy(update={"url": _move(e.url, moves)}) for e in config.federation.external],
        }
    )
    site = config.site.model_copy(update={"base_url": _move(config.site.base_url, moves)})
    # OpenID (core.oidc): the providers' issuers and the peers' return addresses move too.
    provider = config.auth.provider.model_copy(
        update={
            "clients": [
                c.model_copy(update={"redirect_uris": [_move(uri, moves) for uri in c.redirect_uris]})
                for c in config.auth.provider.clients
            ]
        }
    )
    auth = config.auth.model_copy(
        update={
            "oidc": [p.model_copy(update={"issuer": _move(p.issuer, moves)}) for p in config.auth.oidc],
            "provider": provider,
        }
    )
    return config.model_copy(update={"site": site, "federation": federation, "auth": auth})


def demo_secrets(sites: list[Site], environ: MutableMapping[str, str]) -> list[str]:
    """Make up the OpenID client secrets the demo's sites share, where the
    environment has none: one per provider among the sites, set for each of
    its registered peers (PARAPLY_OIDC_CLIENT_<ID>_SECRET) and for each site
    that lists it (PARAPLY_OIDC_<NAME>_SECRET). Returns the variables set."""
    made: list[str] = []
    for provider in (s for s in sites if s.config.auth.provider.enabled):
        secret = secrets.token_urlsafe(32)
        names = [c.secret_env for c in provider.config.auth.provider.clients]
        names += [p.secret_env for s in sites for p in s.config.auth.oidc if p.issuer == provider.base_url]
        for name in names:
            if not environ.get(name):
                environ[name] = secret
                made.append(name)
    return made


def load_site(
    name: str, moves: Mapping[str, str] | None = None, *, database_url: str | None = None, data_dir: Path | None = None
) -> Site:
    """Load and validate a site, then relocate its addresses."""
    site = Site.load(name, database_url=database_url, data_dir=data_dir)
    if not moves:
        return site
    config = relocated_config(site.config, moves)
    return Site(site.folder, config, site.installed, database_url=database_url, data_dir=data_dir)


def addresses(names: list[str]) -> list[str]:
    """Every origin the named sites' demo serves, as written in their
    site.toml: each site's base URL, then each stand-in feed host."""
    found: list[str] = []
    for name in names:
        site = Site.load(name)
        for url in [site.base_url, *(feed.url for feed in standin_feeds(site))]:
            if origin_of(url) not in found:
                found.append(origin_of(url))
    return found


def offset_moves(origins: list[str], offset: int) -> dict[str, str]:
    """Shift every origin's port by ``offset`` (``--port-offset``)."""
    return {o: with_port(o, port_of(o) + offset) for o in origins} if offset else {}


@dataclass
class Listener:
    """One address of the demo and what answers there."""

    origin: str
    label: str
    app: ASGIApp
    site: Site | None = None
    feeds: list[StandinFeed] = field(default_factory=list)

    @property
    def host(self) -> str:
        return urlsplit(self.origin).hostname or "127.0.0.1"

    @property
    def port(self) -> int:
        return port_of(self.origin)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket, so a busy port is found before any server starts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise DemoError(
            f"Porten {port} på {host} går inte att använda ({exc.strerror}). Kör demon redan i ett annat fönster?"
            " Stoppa den, eller välj andra portar med --port-offset (till exempel --port-offset 100)."
        ) from exc
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signals to the network: with several
    servers in one loop, each would otherwise take the handler from the last."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class DemoNetwork:
    """The sites and stand-in feeds of one demo run."""

    def __init__(self, sites: list[Site]) -> None:
        self.sites = sites
        self.listeners: list[Listener] = []
        self.started = threading.Event()
        self._servers: list[_Server] = []
        self._stopping = False
        taken: dict[str, str] = {}
        for site in sites:
            origin = origin_of(site.base_url)
            if origin in taken:
                raise DemoError(f"{site.name} och {taken[origin]} har samma adress, {origin}. Ändra base_url.")
            taken[origin] = site.name
            self.listeners.append(Listener(origin, site.name, create_app(site), site=site))
        by_origin: dict[str, list[StandinFeed]] = {}
        for site in sites:
            for feed in standin_feeds(site):
                by_origin.setdefault(feed.origin, [])
                if feed.path not in {f.path for f in by_origin[feed.origin]}:
                    by_origin[feed.origin].append(feed)
        for origin, feeds in by_origin.items():
            if origin in taken:
                raise DemoError(f"Flödet {feeds[0].url} har samma adress som {taken[origin]}. Ändra adressen.")
            label = " och ".join(feed.name for feed in feeds)
            self.listeners.append(Listener(origin, label, feeds_app(feeds), feeds=feeds))

    @classmethod
    def load(cls, names: list[str], moves: Mapping[str, str] | None = None) -> DemoNetwork:
        sites = [load_site(name, moves) for name in names]
        demo_secrets(sites, os.environ)  # signing in across the network (core.oidc)
        return cls(sites)

    def bind(self) -> dict[str, socket.socket]:
        """Bind every address, or none: a busy port closes the ones bound."""
        sockets: dict[str, socket.socket] = {}
        try:
            for listener in self.listeners:
                sockets[listener.origin] = bind(listener.host, listener.port)
        except DemoError:
            for sock in sockets.values():
                sock.close()
            raise
        return sockets

    async def serve(self, sockets: Mapping[str, socket.socket], *, handle_signals: bool = True) -> None:
        """Serve every listener on its socket until ``stop`` (or Ctrl-C)."""
        self._servers = [
            _Server(
                uvicorn.Config(listener.app, log_level="warning", access_log=False, lifespan="on", **SERVER_OPTIONS)
            )
            for listener in self.listeners
        ]
        if self._stopping:  # stopped before it started
            self.stop()
        restore = self._capture_signals() if handle_signals else contextlib.nullcontext()
        with restore:
            tasks = [
                asyncio.create_task(server.serve(sockets=[sockets[listener.origin]]))
                for server, listener in zip(self._servers, self.listeners, strict=True)
            ]
            watcher = asyncio.create_task(self._watch_started())
            try:
                done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                unasked = not self._stopping
                self.stop()  # one server down takes the others with it
                await asyncio.gather(*tasks)
            finally:
                watcher.cancel()
                self.started.clear()
        if unasked:
            failed = [listener.label for listener, task in zip(self.listeners, tasks, strict=True) if task in done]
            raise DemoError(f"{', '.join(failed)} stannade oväntat; se felet ovan. Alla servrar är stoppade.")

    async def _watch_started(self) -> None:
        while not all(server.started for server in self._servers):
            if any(server.should_exit for server in self._servers):
                return
            await asyncio.sleep(0.05)
        self.started.set()

    def stop(self, force: bool = False) -> None:
        """Ask every server to finish its requests and stop (thread-safe: it
        only sets flags that each server's loop checks)."""
        self._stopping = True
        for server in self._servers:
            server.should_exit = True
            server.force_exit = server.force_exit or force

    @contextlib.contextmanager
    def _capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def handle(sig: int, frame: FrameType | None) -> None:
            self.stop(force=any(server.should_exit for server in self._servers))

        signals = [signal.SIGINT, signal.SIGTERM]
        original: dict[signal.Signals, Callable[..., object] | int | None] = {}
        for sig in signals:
            original[sig] = signal.signal(sig, handle)
        try:
            yield
        finally:
            for sig, handler in original.items():
                signal.signal(sig, handler)


def _network_sign_in(network: DemoNetwork, accounts: Mapping[str, list[tuple[str, str, str]]]) -> list[str]:
    """How to try signing in across the network (README.md, "Logga in över nätverket")."""
    sites = [listener.site for listener in network.listeners if listener.site is not None]
    provider = next((s for s in sites if s.config.auth.provider.enabled), None)
    if provider is None:
        return []
    issuer = provider.base_url
    peer = next((s for s in sites if any(p.issuer == issuer for p in s.config.auth.oidc)), None)
    if peer is None:
        return []
    label = next(p.label for p in peer.config.auth.oidc if p.issuer == issuer)
    editor = next((email for email, _pw, role in accounts.get(provider.slug, []) if role == "redaktör"), "")
    return [
        "",
        f"  Logga in över nätverket: logga in på {provider.name} ({editor}), gå sedan till",
        f'  {peer.name} ({peer.base_url}/konto/logga-in) och tryck på "Logga in med {label}".',
    ]


def summary(
    network: DemoNetwork,
    accounts: Mapping[str, list[tuple[str, str, str]]],
    *,
    running: bool,
    start_command: str = "./run demo",
) -> str:
    """The table ``paraply demo`` prints: where each site is, its logins."""
    from core.demo import DEMO_PASSWORD, plugin_demo_logins

    rows = [("Webbplats", "Adress", "Administratör", "Redaktör")]
    for listener in network.listeners:
        if listener.site is None:
            continue
        logins = {role: email for email, _password, role in accounts.get(listener.site.slug, [])}
        rows.append(
            (listener.label, listener.origin + "/", logins.get("administratör", "-"), logins.get("redaktör", "-"))
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["Demon är igång:" if running else "Demon är förberedd. Så här ser den ut när den körs:", ""]
    lines += [
        "  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    others = [(listener.label, plugin_demo_logins(listener.site)) for listener in network.listeners if listener.site]
    if any(extra for _label, extra in others):
        lines += ["", "  Fler demokonton, från tilläggen:"]
        for label, extra in others:
            if extra:
                lines.append(f"  {label}: " + ", ".join(f"{email} ({name})" for email, name in extra))
    feeds = [(feed, listener) for listener in network.listeners for feed in listener.feeds]
    if feeds:
        lines += ["", "  Låtsasflöden (i stället för internet):"]
        for feed, listener in feeds:
            lines.append(f"  {feed.name}: {listener.origin}{feed.path}")
    lines += _network_sign_in(network, accounts)
    lines += ["", f"  Lösenordet är detsamma för alla demokonton: {DEMO_PASSWORD}"]
    lines.append("  Varje webbplats data ligger i sin mapp (se ovan); ta bort mappen för att börja om.")
    if running:
        lines.append("  Stoppa demon med Ctrl-C.")
    else:
        lines.append(f"  Starta demon med: {start_command}")
    return "\n".join(lines) + "\n"
