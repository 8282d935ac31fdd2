"""From ``paraply new-site`` to an HTTPS site that federates with a demo
site, without editing a file (issue 19's "done when"), as a new umbrella
does it: the real commands in a fresh folder, the site served by
``paraply serve`` behind Debian's Caddy (its internal CA on 127.0.0.1),
then in Chromium over HTTPS: log in, ask the demo site Filipstad to be
neighbours, Filipstad's admin accepts, and news flows both ways.

Every step's time is printed at the end of the run (tests/summary.py), for
the closing note. Chromium is told to accept Caddy's internal certificate
(it has no way to trust a CA file without a system store); the certificate
itself is checked by httpx against Caddy's CA, as are Filipstad's calls to
the new site (``PARAPLY_CA_FILE``: core.fetch).
"""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select

from core import migrate
from core.app import create_app
from core.demo import DEMO_PASSWORD, demo_accounts, load_demo
from core.demo_network import load_site
from core.models import Role
from core.site import Site
from plugins.webportal.models import News
from tests.browser.conftest import DESKTOP
from tests.browser.server import SITES
from tests.federation.harness import Server, eventually, free_port
from tests.ops.test_https_proxy import caddy_binary
from tests.summary import section

PARAPLY = Path(sys.executable).parent / "paraply"
#: The demo network's addresses as site.toml has them; all moved to free ports.
DEMO_ORIGINS = [f"http://127.0.0.1:{port}" for port in (8000, 8001, 8002, 8003)]
FILIPSTAD = "http://127.0.0.1:8003"
ADMIN = ("styrelsen@torsby.example", "Tora Torsby", "ett-langt-losenord-for-torsby")

STEPS: list[str] = section("a new site to HTTPS and the network (tests/browser/test_new_site_https.py)")


@dataclass
class Clock:
    started: float = field(default_factory=time.monotonic)
    lines: list[str] = field(default_factory=list)

    def step(self, what: str) -> None:
        now = time.monotonic()
        # Numbered: the summary sorts its lines.
        self.lines.append(f"{len(self.lines) + 1}. {what}: {now - self.started:.1f} s")
        self.started = now


def _environment(folder: Path, ca: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PARAPLY_SITES_DIR": str(folder / "sites"),
        "PARAPLY_DATA_DIR": str(folder / "data"),
        "PARAPLY_SECRET_KEY": "en-hemlighet-bara-for-torsby",
        "PARAPLY_NO_ENTRY_POINTS": "1",
        "PARAPLY_CA_FILE": str(ca),
    }


def _paraply(folder: Path, ca: Path, *args: str) -> str:
    done = subprocess.run(
        [str(PARAPLY), *args], cwd=folder, env=_environment(folder, ca), capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _caddy(folder: Path, https_port: int, upstream: int) -> tuple[subprocess.Popen[bytes], Path]:
    """Caddy in front of 127.0.0.1:upstream, as deploy's Caddyfile has it but
    with ``tls internal`` (no Let's Encrypt on loopback)."""
    home = folder / "caddy"
    caddyfile = folder / "Caddyfile"
    caddyfile.write_text(
        "{\n\tadmin off\n\tskip_install_trust\n"
        f"\thttp_port {free_port()}\n\thttps_port {https_port}\n\tstorage file_system {home}/data\n}}\n"
        f"https://127.0.0.1:{https_port} {{\n\tbind 127.0.0.1\n\ttls internal\n"
        f"\tencode zstd gzip\n\treverse_proxy 127.0.0.1:{upstream}\n}}\n",
        encoding="utf-8",
    )
    env = dict(os.environ, HOME=str(home), XDG_DATA_HOME=str(home), XDG_CONFIG_HOME=str(home))
    process = subprocess.Popen(
        [caddy_binary(), "run", "--config", str(caddyfile), "--adapter", "caddyfile"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    ca = home / "data" / "pki" / "authorities" / "local" / "root.crt"
    deadline = time.monotonic() + 60
    while not ca.is_file():
        if process.poll() is not None:
            raise RuntimeError(f"caddy stopped: {process.stderr.read().decode()[-2000:] if process.stderr else ''}")
        assert time.monotonic() < deadline, "caddy made no CA within 60 s"
        time.sleep(0.1)
    return process, ca


@pytest.fixture
def filipstad(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Site, str]]:
    """The demo site Filipstad with its demo data on a free port; the rest of
    the demo network moved to ports where nothing answers."""
    moves = {origin: f"http://127.0.0.1:{free_port()}" for origin in DEMO_ORIGINS}
    data = tmp_path_factory.mktemp("filipstad")
    site = load_site(str(SITES / "filipstad"), moves, database_url=f"sqlite:///{data / 'site.db'}", data_dir=data)
    migrate.upgrade(site)
    load_demo(site, echo=lambda _msg: None)
    yield site, moves[FILIPSTAD]
    site.dispose()


def _https_client(ca: Path) -> httpx.Client:
    return httpx.Client(verify=ssl.create_default_context(cafile=str(ca)), timeout=20)


def _log_in(page: Any, url: str, email: str, password: str) -> None:
    page.goto(url + "/konto/logga-in")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(password)
    page.locator("main").get_by_role("button", name="Logga in", exact=True).click()
    page.wait_for_url(lambda address: "/konto/logga-in" not in address)


def test_a_new_site_to_https_and_the_network_without_editing_a_file(
    browser: Any, tmp_path: Path, filipstad: tuple[Site, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    https_port, upstream = free_port(), free_port()
    torsby = f"https://127.0.0.1:{https_port}"
    caddy, ca = _caddy(tmp_path, https_port, upstream)
    # Filipstad runs in this process: its fetcher trusts Caddy's CA, as a
    # server behind a private CA would be told to.
    monkeypatch.setenv("PARAPLY_CA_FILE", str(ca))
    neighbour_site, neighbour = filipstad
    neighbour_server = Server(create_app(neighbour_site), int(neighbour.rsplit(":", 1)[1]))
    neighbour_server.start()
    server: subprocess.Popen[str] | None = None
    contexts: list[Any] = []
    try:
        clock.step("Caddy and the demo site Filipstad started")
        made = _paraply(
            tmp_path,
            ca,
            "new-site",
            "torsby",
            "--title",
            "Torsby Föreningsråd",
            "--base-url",
            torsby,
            "--trusted-proxy",
            "127.0.0.1",
            "--contact-email",
            "info@torsby.example",
        )
        assert torsby in made
        _paraply(tmp_path, ca, "migrate", "--site", "torsby")
        email, name, password = ADMIN
        _paraply(
            tmp_path, ca, "create-admin", "--site", "torsby", "--email", email, "--name", name, "--password", password
        )
        clock.step("paraply new-site, migrate and create-admin")
        server = subprocess.Popen(
            [str(PARAPLY), "serve", "--site", "torsby", "--port", str(upstream)],
            cwd=tmp_path,
            env=_environment(tmp_path, ca),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        with _https_client(ca) as client:

            def healthy() -> bool:
                assert server is not None and server.poll() is None, "paraply serve stopped"
                try:
                    return client.get(torsby + "/-/health").status_code == 200
                except httpx.TransportError:
                    return False

            eventually(healthy, timeout=60, interval=0.2, message="Torsby did not answer through Caddy")
            front = client.get(torsby + "/")
            assert front.status_code == 200 and "Torsby Föreningsråd" in front.text
            assert front.headers["strict-transport-security"].startswith("max-age=")
            # The links follow the HTTPS address, not the port uvicorn listens on.
            discovery = client.get(torsby + "/.well-known/paraply").json()
            assert discovery["base_url"] == torsby
        clock.step("paraply serve behind Caddy answers over HTTPS")

        context = browser.new_context(viewport=DESKTOP, locale="sv-SE", ignore_https_errors=True)
        contexts.append(context)
        context.set_default_timeout(20_000)
        page = context.new_page()
        _log_in(page, torsby, email, password)
        assert page.url.startswith(torsby)
        page.goto(torsby + "/-/admin/natverket")
        join = page.locator("main").get_by_role("region", name="Gå med i ett nätverk / Lägg till en granne")
        join.get_by_label("Grannens adress").fill(neighbour)
        join.get_by_role("button", name="Visa vem det är").click()
        main = page.locator("main")
        main.get_by_role("heading", name="Är det här rätt granne?").wait_for()
        assert "Filipstads Föreningsgemenskap" in main.inner_text()
        main.get_by_role("button", name="Skicka förfrågan").click()
        page.get_by_text("Förfrågan är skickad till Filipstads Föreningsgemenskap").wait_for()
        clock.step("Torsby's admin asked Filipstad in the browser")

        other = browser.new_context(viewport=DESKTOP, locale="sv-SE")
        contexts.append(other)
        other.set_default_timeout(20_000)
        neighbour_page = other.new_page()
        neighbour_admin = next(mail for mail, _name, role in demo_accounts(neighbour_site) if role == Role.ADMIN)
        _log_in(neighbour_page, neighbour, neighbour_admin, DEMO_PASSWORD)
        neighbour_page.goto(neighbour + "/-/admin/natverket")
        requests = neighbour_page.locator("main").get_by_role("region", name="Förfrågningar att bli grannar")
        requests.get_by_role("button", name="Godta Torsby Föreningsråd").click()
        neighbour_page.get_by_text("Torsby Föreningsråd är nu granne").wait_for()
        clock.step("Filipstad's admin accepted")

        def listed() -> bool:
            page.goto(torsby + "/-/admin/natverket")
            return "Filipstads Föreningsgemenskap" in page.locator("main").inner_text()

        eventually(listed, timeout=30, interval=1, message="Torsby never listed Filipstad as a neighbour")

        page.goto(torsby + "/nyheter/ny")
        page.get_by_label("Rubrik").fill("Torsby välkomnar grannarna")
        page.get_by_label("Sammanfattning").fill("Vår första nyhet i nätverket.")
        page.locator("main").get_by_role("button", name="Spara").click()
        page.wait_for_url(lambda address: "/nyheter/ny" not in address)

        def arrived_at_filipstad() -> bool:
            neighbour_page.goto(neighbour + "/natverket/nyheter")
            return "Torsby välkomnar grannarna" in neighbour_page.locator("main").inner_text()

        eventually(arrived_at_filipstad, timeout=60, interval=1, message="Torsby's news never reached Filipstad")
        clock.step("Torsby's first news item shown at Filipstad")

        with neighbour_site.session() as db:
            titles = [n.title for n in db.exec(select(News).where(News.published == True)).all()]  # noqa: E712
        assert titles, "the demo site has news"

        def arrived_at_torsby() -> bool:
            page.goto(torsby + "/natverket/nyheter")
            text = page.locator("main").inner_text()
            return any(title in text for title in titles)

        eventually(arrived_at_torsby, timeout=60, interval=1, message="Filipstad's news never reached Torsby")
        clock.step("Filipstad's news shown at Torsby")
    finally:
        for context in contexts:
            context.close()
        if server is not None:
            server.terminate()
            server.communicate(timeout=30)
        neighbour_server.stop()
        caddy.terminate()
        caddy.wait(timeout=20)
    STEPS.extend(clock.lines)
