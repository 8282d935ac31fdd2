"""Production behind a real HTTPS proxy (issue 19): Debian's Caddy on
127.0.0.1 with its internal CA, in front of a real uvicorn serving the site
as ``paraply serve`` does (uvicorn's own proxy support off, core.proxies
decides). Checked as a browser and a monitoring server see it: HTTPS with a
certificate, HSTS, Secure cookies, the visitor's real address from the
proxy and from nobody else, and a file upload through the proxy."""

from __future__ import annotations

import os
import shutil
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from core.app import create_app
from core.models import Role
from core.proxies import SERVER_OPTIONS
from core.site import Site
from core.testing import TEST_PASSWORD, free_port, load_test_site
from plugins.webportal.models import Association
from tests.conftest import add_user
from tests.test_directory_admin import EDIT, png_bytes
from tests.webportal_fixtures import add_association

VISITOR = "127.0.0.3"  # the address the monitoring server (and a visitor) connects from
STRANGER = "127.0.0.4"  # someone else, who would like to be taken for VISITOR


def caddy_binary() -> str:
    found = shutil.which("caddy")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("caddy is missing: CI must run the proxy test (.ci/run installs Debian's caddy)")
        pytest.skip("caddy is not installed (apt-get install caddy)")
    return found


@dataclass
class Proxied:
    site: Site
    https: str  # through Caddy
    direct: str  # uvicorn itself
    ca: Path

    def client(self, source: str) -> httpx.Client:
        context = ssl.create_default_context(cafile=str(self.ca))
        transport = httpx.HTTPTransport(local_address=source, verify=context)
        return httpx.Client(transport=transport, timeout=20, follow_redirects=False)


@pytest.fixture
def proxied(tmp_path: Path, database_url: str) -> Iterator[Proxied]:
    caddy = caddy_binary()
    https_port, http_port, upstream = free_port(), free_port(), free_port()
    base = f"https://127.0.0.1:{https_port}"
    folder = tmp_path / "sites" / "drift"
    folder.mkdir(parents=True)
    (folder / "site.toml").write_text(
        f'[site]\nname = "Driftföreningarna"\nbase_url = "{base}"\nplugins = ["webportal"]\n\n'
        f'[server]\ntrusted_proxies = ["127.0.0.1"]\nmetrics_allow = ["{VISITOR}"]\n\n'
        '[plugin.webportal]\nmunicipalities = ["Karlskoga", "Degerfors"]\n',
        encoding="utf-8",
    )
    site = load_test_site(folder, database_url, tmp_path / "data")
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(site), host="127.0.0.1", port=upstream, log_level="warning", lifespan="on", **SERVER_OPTIONS
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    caddy_home = tmp_path / "caddy"
    caddyfile = tmp_path / "Caddyfile"
    caddyfile.write_text(
        "{\n"
        "\tadmin off\n"
        "\tskip_install_trust\n"
        f"\thttp_port {http_port}\n"
        f"\thttps_port {https_port}\n"
        f"\tstorage file_system {caddy_home}/data\n"
        "}\n"
        f"{base} {{\n"
        "\tbind 127.0.0.1\n"
        "\ttls internal\n"
        f"\treverse_proxy 127.0.0.1:{upstream}\n"
        "}\n",
        encoding="utf-8",
    )
    env = dict(os.environ, HOME=str(caddy_home), XDG_DATA_HOME=str(caddy_home), XDG_CONFIG_HOME=str(caddy_home))
    process = subprocess.Popen(
        [caddy, "run", "--config", str(caddyfile), "--adapter", "caddyfile"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    ca = caddy_home / "data" / "pki" / "authorities" / "local" / "root.crt"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"caddy stopped: {process.stderr.read().decode()[-2000:] if process.stderr else ''}")
            if server.started and ca.is_file():
                try:
                    with Proxied(site, base, f"http://127.0.0.1:{upstream}", ca).client(VISITOR) as probe:
                        if probe.get(f"{base}/-/health").status_code == 200:
                            break
                except (httpx.HTTPError, ssl.SSLError):
                    pass
            if time.monotonic() > deadline:
                raise RuntimeError("caddy or uvicorn did not start within 60 s")
            time.sleep(0.2)
        yield Proxied(site, base, f"http://127.0.0.1:{upstream}", ca)
    finally:
        process.terminate()
        process.wait(timeout=20)
        server.should_exit = True
        thread.join(timeout=20)
        site.dispose()


def test_https_through_caddy_with_hsts_and_secure_cookies(proxied: Proxied):
    with proxied.client(VISITOR) as browser:
        page = browser.get(f"{proxied.https}/konto/logga-in")
        assert page.status_code == 200
        assert page.url.scheme == "https"
        assert page.headers["strict-transport-security"].startswith("max-age=31536000")
        cookies = page.headers.get_list("set-cookie")
        assert cookies, "the login page sets its CSRF cookie"
        assert all("secure" in cookie.lower() for cookie in cookies)
    # Straight to uvicorn over plain http nobody gets HSTS (it would be a lie).
    with proxied.client(VISITOR) as local:
        assert "strict-transport-security" not in local.get(f"{proxied.direct}/konto/logga-in").headers


def test_the_real_client_address_comes_from_the_proxy_only(proxied: Proxied):
    # /-/metrics is open to VISITOR's address alone ([server] metrics_allow).
    with proxied.client(VISITOR) as monitor:
        assert monitor.get(f"{proxied.https}/-/metrics").status_code == 200
    with proxied.client(STRANGER) as stranger:
        assert stranger.get(f"{proxied.https}/-/metrics").status_code == 404
        # Caddy does not pass on what a client claims ...
        forged = {"X-Forwarded-For": VISITOR}
        assert stranger.get(f"{proxied.https}/-/metrics", headers=forged).status_code == 404
        # ... and the site believes the header from its proxy only, not from anyone who reaches uvicorn.
        assert stranger.get(f"{proxied.direct}/-/metrics", headers=forged).status_code == 404


def test_a_logo_uploads_through_the_proxy(proxied: Proxied):
    site = proxied.site
    add_user(site, "admin@drift.example", Role.ADMIN, "Ada Admin")
    association = add_association(site, "Bildklubben")
    with proxied.client(VISITOR) as browser:
        browser.get(f"{proxied.https}/konto/logga-in")
        token = next(value for name, value in browser.cookies.items() if name.startswith("csrftoken"))
        login = browser.post(
            f"{proxied.https}/konto/logga-in",
            data={"email": "admin@drift.example", "password": TEST_PASSWORD, "csrftoken": token},
        )
        assert login.status_code == 303, login.text[:500]
        picture = png_bytes((400, 300), noise=True)
        saved = browser.post(
            f"{proxied.https}/foreningar/bildklubben/redigera",
            data={**EDIT, "name": "Bildklubben", "status": "approved", "csrftoken": token},
            files={"logo_file": ("logo.png", picture, "image/png")},
        )
        assert saved.status_code == 303, saved.text[:1000]
        with site.session() as db:
            stored = db.get(Association, association.id)
            assert stored is not None and stored.logo.endswith(".png")
        served = browser.get(f"{proxied.https}/uploads/{stored.logo}")
        assert served.status_code == 200 and served.content == picture
