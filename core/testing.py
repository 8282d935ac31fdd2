"""Test helpers for plugins: a migrated throw-away site with your plugin
enabled, a test client that knows the CSRF dance and how to log in, and test
accounts. Part of the public plugin interface (see ``docs/plugins.md``).

In a plugin's ``tests/conftest.py``::

    from core.testing import paraply_client, paraply_site  # noqa: F401  (fixtures)

and in a test::

    def test_page(paraply_site, paraply_client):
        site = paraply_site(["myplugin"], settings={"myplugin": 'greeting = "Hej"'})
        client = paraply_client(site)
        assert "Hej" in client.get("/myplugin/").text

Sites use a fresh SQLite file in pytest's ``tmp_path`` unless
``PARAPLY_TEST_DATABASE_URL`` names an empty database (e.g. PostgreSQL).
"""

from __future__ import annotations

import os
import re
import socket
import textwrap
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import event
from starlette.applications import Starlette
from starlette.testclient import TestClient

from core import migrate
from core.accounts import create_user
from core.app import create_app
from core.csrf import csrf_cookie_name
from core.models import Role, User
from core.site import Site

if TYPE_CHECKING:
    import httpx
    from aiosmtpd.smtp import SMTP, Envelope
    from aiosmtpd.smtp import Session as SmtpSession
    from starlette.types import ASGIApp, Receive, Scope, Send

#: Password of every account made with ``add_user``.
TEST_PASSWORD = "test-losenord-123"

os.environ.setdefault("PARAPLY_SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("PARAPLY_CHEAP_HASHING", "1")
os.environ.setdefault("PARAPLY_DAILY_JOBS", "0")  # the daily jobs would change the data under a test


def write_site(
    root: Path,
    slug: str = "testsite",
    plugins: list[str] | None = None,
    plugin_settings: dict[str, str] | None = None,
    extra: str = "",
    name: str | None = None,
) -> Path:
    """Write ``root/<slug>/site.toml`` enabling ``plugins`` (in order;
    webportal when None) and return the folder. ``plugin_settings`` maps a
    plugin to the TOML text of its ``[plugin.<name>]`` table; ``extra`` is
    more TOML for the ``[site]`` table."""
    folder = root / slug
    folder.mkdir(parents=True, exist_ok=True)
    listed = ", ".join(f'"{p}"' for p in (["webportal"] if plugins is None else plugins))
    title = name or f"Testföreningarna {slug}"
    body = f'[site]\nname = "{title}"\nbase_url = "http://{slug}.example"\nplugins = [{listed}]\n'
    body += textwrap.dedent(extra).strip() + "\n" if extra.strip() else ""
    for plugin, table in (plugin_settings or {}).items():
        body += f"\n[plugin.{plugin}]\n{textwrap.dedent(table)}\n"
    (folder / "site.toml").write_text(body, encoding="utf-8")
    return folder


def load_test_site(folder: Path, database_url: str, data_dir: Path, *, migrate_db: bool = True) -> Site:
    """Load the site in ``folder`` on ``database_url``, migrated (core
    first, then the plugins in order) as ``paraply migrate`` does."""
    site = Site.load(folder, database_url=database_url, data_dir=data_dir)
    if migrate_db:
        migrate.upgrade(site)
    return site


def make_test_site(
    root: Path,
    plugins: list[str],
    settings: dict[str, str] | None = None,
    *,
    slug: str = "testsite",
    database_url: str | None = None,
    migrate_db: bool = True,
    extra: str = "",
) -> Site:
    """A migrated site in ``root/sites/<slug>`` with its data in
    ``root/data/<slug>``; ``extra`` is more site.toml (e.g. ``smtp_settings``)."""
    folder = write_site(root / "sites", slug, plugins, settings, extra, name="Testparaplyet")
    url = database_url or os.environ.get("PARAPLY_TEST_DATABASE_URL") or f"sqlite:///{root / f'{slug}.db'}"
    return load_test_site(folder, url, root / "data" / slug, migrate_db=migrate_db)


def add_user(site: Site, email: str, role: Role = Role.EDITOR, name: str | None = None) -> User:
    """An account on ``site`` with the password ``TEST_PASSWORD``."""
    with site.session() as db:
        user = create_user(db, email, name or email.split("@")[0].title(), TEST_PASSWORD, role)
        db.commit()
        db.refresh(user)
        return user


class Client(TestClient):
    """Starlette's test client, plus ``submit`` (POST with the CSRF token, as
    a browser sends a form) and ``login``."""

    def csrf(self) -> str:
        assert isinstance(self.app, Starlette), "a Client of a site's app (make_client)"
        site: Site = self.app.state.site
        name = csrf_cookie_name(site.slug)
        # Starlette types its TestClient against httpx2 (we use httpx), so to
        # mypy its methods are Any: the annotations here say what they are.
        token: str | None = self.cookies.get(name)
        if not token:
            self.get("/konto/logga-in")
            token = self.cookies.get(name)
        assert token, "no csrftoken cookie was set"
        return token

    def submit(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> httpx.Response:
        payload = dict(data or {})
        payload.setdefault("csrftoken", self.csrf())
        kwargs.setdefault("follow_redirects", False)
        response: httpx.Response = self.post(url, data=payload, **kwargs)
        return response

    def login(self, email: str, password: str = TEST_PASSWORD) -> httpx.Response:
        response = self.submit("/konto/logga-in", {"email": email, "password": password})
        assert response.status_code == 303, response.text[:500]
        return response


def text_of(html: str) -> str:
    """The visible text of a page, whitespace collapsed: assert on what a
    person reads, not on markup."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def foreign_scripts(html: str) -> list[str]:
    """The script tags of a page that are not the site's own files: anything
    inline, or loaded from anywhere but ``/static/``. Pages load exactly one
    script of ours (core itself sends none; a plugin may send a file); a test
    of sanitizing asserts this is empty rather than that ``<script`` never
    appears."""
    tags = re.findall(r"<script\b[^>]*>", html, flags=re.I)
    return [tag for tag in tags if not re.fullmatch(r'<script src="/static/[^"]+"( defer)?>', tag, flags=re.I)]


@pytest.fixture
def paraply_site(tmp_path: Path) -> Iterator[Callable[..., Site]]:
    """Factory: ``paraply_site(plugins, settings=None, slug="testsite")``."""
    made: list[Site] = []

    def factory(plugins: list[str], settings: dict[str, str] | None = None, **kwargs: Any) -> Site:
        site = make_test_site(tmp_path, plugins, settings, **kwargs)
        made.append(site)
        return site

    yield factory
    for site in made:
        site.dispose()


@pytest.fixture
def paraply_client() -> Iterator[Callable[[Site], Client]]:
    """Factory: ``paraply_client(site)`` gives a ``Client`` on the site's app
    (its lifespan runs, and ends after the test)."""
    clients: list[Client] = []

    def factory(site: Site) -> Client:
        client = Client(create_app(site), base_url=site.base_url)
        client.__enter__()
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.__exit__(None, None, None)


# -- SQL statements per request -----------------------------------------------------

#: The statements of the request being served (None outside a counted request).
_REQUEST_STATEMENTS: ContextVar[list[str] | None] = ContextVar("paraply_request_statements", default=None)


class QueryCounter:
    """Counts the SQL statements each request to a site sends to its database.

    ``client()`` gives a ``Client`` whose every request is counted: after a
    request, ``last`` holds its statements. A request is followed through the
    thread pool its view runs in (context variables travel with it), so the
    site's background work (federation's poller, the outbox) is not counted.
    """

    def __init__(self, site: Site) -> None:
        self.site = site
        self.last: list[str] = []
        event.listen(site.engine, "before_cursor_execute", self._statement)

    def _statement(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements = _REQUEST_STATEMENTS.get()
        if statements is not None:
            statements.append(statement)

    def client(self) -> Client:
        """A client on the site's app whose requests are counted; use it in
        a ``with`` block so that the app's lifespan runs."""
        app = create_app(self.site)
        app.add_middleware(_CountStatements, counter=self)
        return Client(app, base_url=self.site.base_url)

    def count(self, client: Client, url: str, **kwargs: Any) -> tuple[httpx.Response, int]:
        """GET ``url`` (``kwargs`` as for ``client.get``) and say how many statements it took."""
        response: httpx.Response = client.get(url, **kwargs)
        return response, len(self.last)

    def close(self) -> None:
        event.remove(self.site.engine, "before_cursor_execute", self._statement)


class _CountStatements:
    def __init__(self, app: ASGIApp, counter: QueryCounter) -> None:
        self.app = app
        self.counter = counter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        statements: list[str] = []
        token = _REQUEST_STATEMENTS.set(statements)
        try:
            await self.app(scope, receive, send)
        finally:
            _REQUEST_STATEMENTS.reset(token)
            self.counter.last = statements


@pytest.fixture
def query_counter() -> Iterator[Callable[[Site], QueryCounter]]:
    """Factory: ``query_counter(site)`` gives a ``QueryCounter`` on the
    site; ``counter.client()`` is a ``Client`` whose requests it counts::

        counter = query_counter(site)
        with counter.client() as client:
            response, statements = counter.count(client, "/")
        assert statements <= 10
    """
    counters: list[QueryCounter] = []

    def factory(site: Site) -> QueryCounter:
        counters.append(QueryCounter(site))
        return counters[-1]

    yield factory
    for counter in counters:
        counter.close()


# -- mail ------------------------------------------------------------------------------


_recent_ports: list[int] = []


def _xdist_share() -> tuple[int, int]:
    """(this worker's number, how many workers) under pytest-xdist, else (0, 1)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    try:
        count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
        index = int(worker[2:]) if worker.startswith("gw") else 0
    except ValueError:
        return 0, 1
    return (index % count, count) if count > 1 else (0, 1)


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on, asked of the OS (bind to
    port 0), for a server that needs its port before it starts (a site's
    ``base_url``; aiosmtpd and PostgreSQL cannot take port 0).

    Safe under pytest-xdist: the OS may give a port another worker was just
    handed and has not bound yet, so each worker keeps only ports of its own
    share (``port // 2 % workers == worker number``: Linux hands out even
    ports to bind) and no two workers ever use the same one. Nor does it hand
    out a port it gave in the last 64 calls, which may not be bound yet either."""
    index, count = _xdist_share()
    for _ in range(1000):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if (port // 2) % count == index and port not in _recent_ports:
            _recent_ports.append(port)
            del _recent_ports[:-64]
            return port
    raise RuntimeError("no free port on 127.0.0.1")


class SmtpInbox:
    """What a test SMTP server received: each message parsed, and its
    envelope (sender, recipients). An aiosmtpd handler."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        #: When each message arrived (``time.monotonic()``): a sender's pace.
        self.arrived: list[float] = []
        self.port = 0

    async def handle_DATA(self, server: SMTP, session: SmtpSession, envelope: Envelope) -> str:
        self.arrived.append(time.monotonic())
        self.envelopes.append((envelope.mail_from or "", list(envelope.rcpt_tos)))
        self.messages.append(message_from_bytes(envelope.original_content or b"", policy=default_policy))
        return "250 OK"


def smtp_settings(
    port: int, security: str = "none", user: str = "", from_address: str = "", timeout_seconds: float = 5
) -> str:
    """TOML for a site's ``[mail]`` table sending to 127.0.0.1:``port``;
    the short ``timeout_seconds`` lets a test of a silent relay end soon."""
    toml = f'[mail]\nsender = "smtp"\nhost = "127.0.0.1"\nport = {port}\nsecurity = "{security}"\n'
    toml += f"timeout_seconds = {timeout_seconds}\n"
    toml += f'user = "{user}"\n' if user else ""
    return toml + (f'from_address = "{from_address}"\n' if from_address else "")


@pytest.fixture
def smtp_inbox() -> Iterator[SmtpInbox]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 at ``smtp_inbox.port``,
    for a site whose ``[mail]`` is ``smtp_settings(smtp_inbox.port)``."""
    from aiosmtpd.controller import Controller

    inbox = SmtpInbox()
    inbox.port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    yield inbox
    controller.stop()
