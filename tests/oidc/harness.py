"""What the OpenID tests share: a real OpenID provider (panva's oidc-provider
on Node, ``provider.mjs``) on a free port, sites on real uvicorn servers
whose site.toml lists a provider, and a person's browser (httpx with a
cookie jar) that signs in at the provider's own pages.

Without Node or the npm package the tests skip with the reason; in CI
(``CI`` set) they fail instead, since .ci/run installs both (``npm ci``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import textwrap
import time
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest

from core import migrate
from core.accounts import create_user
from core.app import create_app
from core.models import Role
from core.site import Site
from tests.conftest import PASSWORD
from tests.federation.harness import Server, free_port

REPO = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).parent / "provider.mjs"
IN_CI = bool(os.environ.get("CI"))
ADMIN = "admin@natverk.example"


def require_node() -> str:
    node = shutil.which("node")
    reason = ""
    if node is None:
        reason = "Node.js is not installed"
    elif not (REPO / "node_modules" / "oidc-provider" / "package.json").is_file():
        reason = "the npm package oidc-provider is not installed (run `npm ci`)"
    if reason:
        if IN_CI:
            pytest.fail(reason + ": CI must run the OpenID tests (.ci/run runs npm ci)")
        pytest.skip(reason + "; the OpenID tests need a real provider")
    assert node is not None
    return node


class NodeProvider:
    """oidc-provider serving one registered client, until ``stop()``."""

    def __init__(self, client_id: str, secret: str, redirect_uri: str) -> None:
        self.node = require_node()
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.env = {"CLIENT_ID": client_id, "CLIENT_SECRET": secret, "REDIRECT_URI": redirect_uri}
        self.start()

    def start(self) -> None:
        """Start (again, after ``stop``) on the same port."""
        env = {**os.environ, "PORT": str(self.port), **self.env}
        self.process = subprocess.Popen(
            [self.node, str(SCRIPT)], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith("ready"):
            self.stop()
            raise RuntimeError(f"oidc-provider did not start: {line!r}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def oidc_toml(name: str, label: str, issuer: str, client_id: str, *, create_accounts: bool = False) -> str:
    return textwrap.dedent(
        f"""
        [[auth.oidc]]
        name = "{name}"
        label = "{label}"
        issuer = "{issuer}"
        client_id = "{client_id}"
        create_accounts = {"true" if create_accounts else "false"}
        allow_private = true
        """
    )


def make_site(root: Path, slug: str, name: str, port: int, database_url: str, extra_toml: str = "") -> Site:
    """A migrated site whose base URL is its own server's, with an admin."""
    folder = root / "sites" / slug
    folder.mkdir(parents=True, exist_ok=True)
    body = textwrap.dedent(
        f"""
        [site]
        name = "{name}"
        base_url = "http://127.0.0.1:{port}"
        plugins = []

        [federation]
        push = false
        poll_interval = 3600
        """
    )
    (folder / "site.toml").write_text(body + extra_toml, encoding="utf-8")
    site = Site.load(folder, database_url=database_url, data_dir=root / "data" / slug)
    migrate.upgrade(site)
    with site.session() as db:
        create_user(db, ADMIN, "Ada Admin", PASSWORD, Role.ADMIN)
    return site


def serve(site: Site, port: int) -> Server:
    server = Server(create_app(site), port)
    server.start()
    return server


def text_of(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


class Person:
    """A person at a browser: one cookie jar for every host, redirects
    followed by hand so a test can stop (and tamper) at any step."""

    def __init__(self) -> None:
        self.http = httpx.Client(timeout=15, follow_redirects=False)

    def close(self) -> None:
        self.http.close()

    def csrf(self, site_url: str) -> str:
        """The token of the site's login form, as the browser would send it."""
        page = self.http.get(site_url + "/konto/logga-in").text
        found = re.search(r'name="csrftoken" value="([^"]+)"', page)
        assert found, "no CSRF field on the login page"
        return found.group(1)

    def follow(self, response: httpx.Response, *, stop_at: str = "") -> httpx.Response:
        """Follow redirects until a page, or until one points at ``stop_at``."""
        while response.status_code in (301, 302, 303, 307, 308):
            target = urljoin(str(response.url), response.headers["location"])
            if stop_at and target.startswith(stop_at):
                return response
            response = self.http.get(target)
        return response

    def press_provider_button(self, site_url: str, name: str, next_url: str = "/") -> str:
        """The login page's button: returns the provider address it sends to."""
        response = self.http.post(
            f"{site_url}/konto/oidc/{name}/start", data={"csrftoken": self.csrf(site_url), "next": next_url}
        )
        assert response.status_code == 303, response.text[:300]
        return response.headers["location"]

    def sign_in_at_node_provider(self, auth_url: str, login: str, site_url: str) -> str:
        """Log in and consent on oidc-provider's own pages (devInteractions);
        returns the address it sends the person back to, not yet opened."""
        page = self.follow(self.http.get(auth_url))
        assert "/interaction/" in str(page.url), page.text[:300]
        page = self.http.post(str(page.url), data={"prompt": "login", "login": login, "password": "x"})
        page = self.follow(page, stop_at=site_url)
        if page.status_code == 200:  # the consent page
            page = self.http.post(str(page.url), data={"prompt": "consent"})
            page = self.follow(page, stop_at=site_url)
        location = urljoin(str(page.url), page.headers["location"])
        assert location.startswith(site_url), location
        return location

    def open(self, url: str) -> httpx.Response:
        return self.follow(self.http.get(url))

    def signed_in(self, site_url: str) -> bool:
        return self.http.get(site_url + "/konto/losenord").status_code == 200


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def wait_closed(port: int) -> None:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=0.2)
        except httpx.HTTPError:
            return
        time.sleep(0.05)
