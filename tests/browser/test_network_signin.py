"""Signing in across the network in a real browser: Möckeln's demo editor
signs in at Kristinehamn with one click on Kristinehamn's login page, one
login at Möckeln and one "Fortsätt som …". The demo sites as `paraply demo`
serves them, moved to free ports (issuer and return addresses follow); axe
finds nothing on the pages of the flow at 1280 and 375 px."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from core import migrate, tokens
from core.accounts import create_invited_user, create_user
from core.app import create_app
from core.demo import DEMO_PASSWORD, load_demo
from core.demo_network import demo_secrets, load_site
from core.oidc import client
from core.site import Site
from tests.browser.axe import assert_accessible
from tests.browser.conftest import DESKTOP, PHONE, VIEWPORTS
from tests.browser.server import SITES
from tests.federation.harness import Server, free_port

ORIGINS = {"mockeln": "http://127.0.0.1:8000", "kristinehamn": "http://127.0.0.1:8001"}
#: The running demo sites of the module's ``network``, by slug (to make accounts in them).
LIVE: dict[str, Site] = {}


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Möckeln and Kristinehamn with demo data on free ports; their URLs."""
    ports = {slug: free_port() for slug in ORIGINS}
    moves = {ORIGINS[slug]: f"http://127.0.0.1:{port}" for slug, port in ports.items()}
    sites = []
    for slug in ORIGINS:
        data = tmp_path_factory.mktemp(slug)
        sites.append(load_site(str(SITES / slug), moves, database_url=f"sqlite:///{data / 'site.db'}", data_dir=data))
    saved = {
        name: os.environ.get(name)
        for name in ("PARAPLY_OIDC_MOCKELN_SECRET", "PARAPLY_OIDC_CLIENT_KRISTINEHAMN_SECRET")
    }
    for name in saved:
        os.environ.pop(name, None)
    demo_secrets(sites, os.environ)
    servers = []
    for site in sites:
        LIVE[site.slug] = site
        migrate.upgrade(site)
        load_demo(site, echo=lambda _: None)
        server = Server(create_app(site), ports[site.slug])
        server.start()
        servers.append(server)
    yield {slug: moves[origin] for slug, origin in ORIGINS.items()}
    for server in servers:
        server.stop()
    for site in sites:
        site.dispose()
    LIVE.clear()
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    client.forget_cached()


def _axe_both_widths(page: Any, axe_source: Path, where: str) -> None:
    for name, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        assert_accessible(page, axe_source, f"{where}, {name}")
    page.set_viewport_size(DESKTOP)


def test_a_volunteer_signs_in_at_a_neighbour_with_one_click(
    browser: Any, axe_source: Path, network: dict[str, str]
) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="sv-SE")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(network["kristinehamn"] + "/konto/logga-in")
        button = page.get_by_role("button", name="Logga in med Möckelnföreningarna")
        assert button.is_visible()
        _axe_both_widths(page, axe_source, "Kristinehamns inloggning med nätverkets knapp")
        button.click()

        # At Möckeln: log in there once, and come straight back to the question.
        page.wait_for_url(lambda url: url.startswith(network["mockeln"] + "/konto/logga-in"))
        main = page.locator("main")
        main.get_by_label("E-postadress").fill("redaktor@mockeln.example")
        main.get_by_label("Lösenord").fill(DEMO_PASSWORD)
        main.get_by_role("button", name="Logga in", exact=True).click()
        page.wait_for_url(lambda url: "/oidc/authorize" in url)
        assert page.get_by_role("heading", level=1).inner_text() == "Fortsätt till Kristinehamns Föreningsråd"
        assert "Rita Redaktör (redaktor@mockeln.example)" in page.locator("main").inner_text()
        _axe_both_widths(page, axe_source, "Möckelns fråga Fortsätt som")
        page.set_viewport_size(PHONE)  # the one click, on a phone
        page.get_by_role("button", name="Fortsätt som Rita Redaktör").click()

        page.wait_for_url(lambda url: url.startswith(network["kristinehamn"]) and "/konto/logga-in" not in url)
        assert page.get_by_role("status").filter(has_text="Välkommen, Rita Redaktör! Du är inloggad.").is_visible()
        _axe_both_widths(page, axe_source, "Kristinehamn, inloggad")
    finally:
        context.close()


def test_cancelling_comes_back_with_a_message(browser: Any, axe_source: Path, network: dict[str, str]) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="sv-SE")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(network["mockeln"] + "/konto/logga-in")
        main = page.locator("main")
        main.get_by_label("E-postadress").fill("redaktor@mockeln.example")
        main.get_by_label("Lösenord").fill(DEMO_PASSWORD)
        main.get_by_role("button", name="Logga in", exact=True).click()
        page.wait_for_url(lambda url: "/konto/logga-in" not in url)
        page.goto(network["kristinehamn"] + "/konto/logga-in")
        page.get_by_role("button", name="Logga in med Möckelnföreningarna").click()
        page.get_by_role("button", name="Avbryt").click()
        page.wait_for_url(lambda url: url.startswith(network["kristinehamn"] + "/konto/logga-in"))
        alert = page.get_by_role("alert")
        assert "Inloggningen hos Möckelnföreningarna avbröts eller nekades" in alert.inner_text()
        _axe_both_widths(page, axe_source, "Kristinehamn efter avbruten inloggning")
    finally:
        context.close()


def test_an_invitation_is_accepted_with_the_network_sign_in(
    browser: Any, axe_source: Path, network: dict[str, str]
) -> None:
    """Kristinehamn's admin invited Ines; she has an account at Möckeln, and
    accepts with Möckeln's button on the invitation page instead of a password."""
    stamp = time.monotonic_ns()
    with LIVE["mockeln"].session() as db:
        create_user(db, f"ines-{stamp}@mockeln.example", "Ines Inbjuden", DEMO_PASSWORD)
        db.commit()
    kristinehamn = LIVE["kristinehamn"]
    with kristinehamn.session() as db:
        invited = create_invited_user(db, f"ines-{stamp}@kristinehamn.example", "Ines Inbjuden")
        link = "/konto/inbjudan/" + tokens.issue(db, invited, tokens.Purpose.INVITE, kristinehamn.clock.now())
        db.commit()
    context = browser.new_context(viewport=DESKTOP, locale="sv-SE")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(network["kristinehamn"] + link)
        assert page.get_by_text("Välkommen, Ines Inbjuden!").is_visible()
        offer = page.get_by_role("region", name="Eller logga in med ett konto du redan har")
        _axe_both_widths(page, axe_source, "Inbjudan med nätverkets knapp")
        offer.get_by_role("button", name="Logga in med Möckelnföreningarna").click()

        page.wait_for_url(lambda url: url.startswith(network["mockeln"] + "/konto/logga-in"))
        main = page.locator("main")
        main.get_by_label("E-postadress").fill(f"ines-{stamp}@mockeln.example")
        main.get_by_label("Lösenord").fill(DEMO_PASSWORD)
        main.get_by_role("button", name="Logga in", exact=True).click()
        page.wait_for_url(lambda url: "/oidc/authorize" in url)
        page.get_by_role("button", name="Fortsätt som Ines Inbjuden").click()

        page.wait_for_url(lambda url: url.startswith(network["kristinehamn"]) and "/inbjudan/" not in url)
        welcome = "Välkommen, Ines Inbjuden! Ditt konto är kopplat till Möckelnföreningarna och du är inloggad."
        assert page.get_by_role("status").filter(has_text=welcome).is_visible()
        _axe_both_widths(page, axe_source, "Kristinehamn, inbjudan mottagen")

        page.goto(network["kristinehamn"] + link)  # spent
        assert page.get_by_role("heading", name="Länken fungerar inte").is_visible()
    finally:
        context.close()


def test_a_refused_request_to_the_provider_explains_in_swedish(
    browser: Any, axe_source: Path, network: dict[str, str]
) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="sv-SE")
    page = context.new_page()
    try:
        query = urlencode({"response_type": "code", "client_id": "okand", "redirect_uri": "https://x.example/cb"})
        answer = page.goto(network["mockeln"] + "/oidc/authorize?" + query)
        assert answer is not None and answer.status == 400
        assert page.get_by_role("heading", level=1).inner_text() == "Inloggningen kan inte göras"
        main = page.locator("main").inner_text()
        assert "inte ansluten till nätverkets inloggning" in main and "client" not in main.lower()
        assert page.locator("main").get_by_role("link", name="Till startsidan").is_visible()
        _axe_both_widths(page, axe_source, "Nätverkets inloggning nekad")
    finally:
        context.close()
