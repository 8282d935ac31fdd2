"""The demo's network sign-in: Möckeln is the provider, the other three list
it, and every address (issuer, return addresses) follows the demo's ports."""

from __future__ import annotations

import asyncio
import re
import socket
import threading
from pathlib import Path

import pytest

from core import migrate
from core.demo import DEMO_PASSWORD, DEMO_SITES, load_demo
from core.demo_network import DemoNetwork, addresses, demo_secrets, relocated_config, summary
from core.oidc import client
from core.site import Site
from tests.oidc.harness import Person, text_of

REPO = Path(__file__).resolve().parents[2]
SITES = REPO / "sites"
SECRET_NAMES = [
    "PARAPLY_OIDC_MOCKELN_SECRET",
    "PARAPLY_OIDC_CLIENT_KRISTINEHAMN_SECRET",
    "PARAPLY_OIDC_CLIENT_STORFORS_SECRET",
    "PARAPLY_OIDC_CLIENT_FILIPSTAD_SECRET",
]


@pytest.fixture
def demo_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("PARAPLY_SITES_DIR", str(SITES))
    monkeypatch.setenv("PARAPLY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("PARAPLY_DATABASE_URL", raising=False)
    for name in SECRET_NAMES:  # empty: the demo makes them up (and they are unset again after)
        monkeypatch.setenv(name, "")
    return tmp_path


def test_mockeln_is_the_provider_and_the_others_trust_only_it():
    sites = {slug: Site.load(SITES / slug) for slug in DEMO_SITES}
    mockeln = sites["mockeln"]
    assert mockeln.config.auth.provider.enabled and not mockeln.config.auth.oidc
    registered = {c.client_id: c.redirect_uris for c in mockeln.config.auth.provider.clients}
    for slug in ("kristinehamn", "storfors", "filipstad"):
        site = sites[slug]
        assert not site.config.auth.provider.enabled
        [trusted] = site.config.auth.oidc
        assert (trusted.issuer, trusted.client_id) == (mockeln.base_url, slug)
        assert registered[slug] == [site.base_url + "/konto/oidc/mockeln/tillbaka"]


def test_relocation_moves_the_issuer_and_the_return_addresses():
    moves = {"http://127.0.0.1:8000": "http://127.0.0.1:9100", "http://127.0.0.1:8001": "http://127.0.0.1:9101"}
    peer = relocated_config(Site.load(SITES / "kristinehamn").config, moves)
    assert peer.auth.oidc[0].issuer == "http://127.0.0.1:9100"
    provider = relocated_config(Site.load(SITES / "mockeln").config, moves)
    uris = {c.client_id: c.redirect_uris[0] for c in provider.auth.provider.clients}
    assert uris["kristinehamn"] == "http://127.0.0.1:9101/konto/oidc/mockeln/tillbaka"
    assert uris["storfors"] == "http://127.0.0.1:8002/konto/oidc/mockeln/tillbaka"  # not moved: stays


def test_the_demo_makes_up_one_shared_secret_and_keeps_a_set_one():
    sites = [Site.load(SITES / slug) for slug in DEMO_SITES]
    environ = {"PARAPLY_OIDC_CLIENT_FILIPSTAD_SECRET": "chosen"}
    made = demo_secrets(sites, environ)
    assert set(made) == set(SECRET_NAMES) - {"PARAPLY_OIDC_CLIENT_FILIPSTAD_SECRET"}
    assert environ["PARAPLY_OIDC_CLIENT_FILIPSTAD_SECRET"] == "chosen"
    assert len({environ[name] for name in made}) == 1 and len(environ[made[0]]) >= 32


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


def test_the_demo_signs_in_across_the_network_on_moved_ports(demo_env):
    """Möckeln and Kristinehamn as `paraply demo --port-offset` serves them:
    Möckeln's demo editor signs in at Kristinehamn with one click."""
    names = ["mockeln", "kristinehamn"]
    origins = addresses(names)
    sockets = {origin: _free_socket() for origin in origins}
    moves = {origin: f"http://127.0.0.1:{sock.getsockname()[1]}" for origin, sock in sockets.items()}
    network = DemoNetwork.load(names, moves)
    accounts = {}
    for site in network.sites:
        migrate.upgrade(site)
        accounts[site.slug] = load_demo(site, echo=lambda _: None)
    served = {moves[origin]: sock for origin, sock in sockets.items()}
    thread = threading.Thread(target=asyncio.run, args=(network.serve(served, handle_signals=False),), daemon=True)
    thread.start()
    m_url, k_url = moves["http://127.0.0.1:8000"], moves["http://127.0.0.1:8001"]
    person = Person()
    try:
        assert network.started.wait(30), "the demo servers did not start"
        lines = summary(network, accounts, running=True)
        assert "Logga in över nätverket: logga in på Möckelnföreningarna (redaktor@mockeln.example)" in lines
        assert f'{k_url}/konto/logga-in) och tryck på "Logga in med Möckelnföreningarna"' in lines

        response = person.http.post(
            m_url + "/konto/logga-in",
            data={"csrftoken": person.csrf(m_url), "email": "redaktor@mockeln.example", "password": DEMO_PASSWORD},
        )
        assert response.status_code == 303
        location = person.press_provider_button(k_url, "mockeln")
        assert location.startswith(m_url + "/oidc/authorize?")
        consent = person.open(location)
        assert "Fortsätt som Rita Redaktör" in text_of(consent.text)
        token = re.search(r'name="csrftoken" value="([^"]+)"', consent.text)
        action = re.search(r'<form method="post" action="([^"]+)"', consent.text)
        assert token and action
        done = person.follow(
            person.http.post(
                m_url + action.group(1).replace("&amp;", "&"),
                data={"csrftoken": token.group(1), "choice": "continue"},
            )
        )
        assert str(done.url).startswith(k_url)
        assert "Välkommen, Rita Redaktör! Du är inloggad." in text_of(done.text)
    finally:
        person.close()
        network.stop()
        thread.join(15)
        client.forget_cached()
