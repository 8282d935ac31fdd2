"""Login throttling that cannot be turned against the account's owner
(issue 13, point 2): the lock-out attempt the issue measured, the rotating
``X-Forwarded-For`` from 127.0.0.1 against a real uvicorn server, and the
e-mailed second proof through a real SMTP server, on both databases."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn
from sqlmodel import select

from core import accounts
from core.accounts import ACCOUNT_FAILURES, IP_LIMIT
from core.app import create_app
from core.csrf import csrf_cookie_name
from core.models import OutboxMessage, Role
from core.proxies import SERVER_OPTIONS
from core.testing import free_port, smtp_settings
from tests.account_fixtures import link_in, wait_for_mail
from tests.conftest import PASSWORD, Client, add_user, text_of

ATTACKER = ("198.51.100.9", 40000)
OWNER_HOME = ("203.0.113.20", 40001)
OWNER_AWAY = ("192.0.2.44", 40002)
BLOCKED = "För många misslyckade inloggningsförsök från din anslutning"
PROOF = "Kontot har haft många misslyckade inloggningsförsök, så vi ber om ett extra bevis"
WRONG = "Fel e-postadress eller lösenord"


@pytest.fixture
def quick_slowdown(monkeypatch):
    """The per-account slow-down, shortened so thirty guesses fit in a test."""
    monkeypatch.setattr(accounts, "SLOWDOWN_STEP", 0.05)
    monkeypatch.setattr(accounts, "SLOWDOWN_MAX", 0.1)


@pytest.fixture
def browser() -> Iterator[Callable[..., Client]]:
    """Factory: ``browser(site, address)``, a browser at that client address,
    on an app of its own (as each test client is); closed after the test."""
    made: list[Client] = []

    def factory(site, address) -> Client:
        client = Client(create_app(site), base_url=site.base_url, client=address)
        client.__enter__()
        made.append(client)
        return client

    yield factory
    for client in made:
        client.__exit__(None, None, None)


def _try(client: Client, email: str, password: str):
    return client.submit("/konto/logga-in", {"email": email, "password": password})


def test_guessing_cannot_lock_the_owner_out(make_site, smtp_inbox, quick_slowdown, browser):
    """The measured fault: five wrong passwords for admin@ locked its owner
    out for 15 minutes from anywhere. Now the attacker's address is refused,
    and the owner still gets in: at once from a browser that signed in
    before, and with an e-mailed link from a new one."""
    site = make_site(plugins=[], extra=smtp_settings(smtp_inbox.port))
    add_user(site, "admin@test.example", Role.ADMIN, "Ada Admin")
    home = browser(site, OWNER_HOME)
    home.login("admin@test.example")  # this browser is now known
    home.submit("/konto/logga-ut")

    attacker = browser(site, ATTACKER)
    answers = [_try(attacker, "admin@test.example", f"gissning-{n}") for n in range(IP_LIMIT + 10)]
    assert all(a.status_code == 400 for a in answers)
    assert WRONG in text_of(answers[0].text)
    assert PROOF in text_of(answers[ACCOUNT_FAILURES].text), "past the limit, the answer no longer says 'wrong'"
    assert BLOCKED in text_of(answers[IP_LIMIT].text) and BLOCKED in text_of(answers[-1].text)
    # The attacker's own right guess now gets nothing either.
    assert BLOCKED in text_of(_try(attacker, "admin@test.example", PASSWORD).text)

    # The owner, from the known browser, signs in with the password at once.
    started = time.monotonic()
    assert _try(home, "admin@test.example", PASSWORD).status_code == 303
    assert "Ada Admin" in home.get("/-/admin").text
    assert time.monotonic() - started >= 0.05, "each attempt on an account under attack is slowed down"

    # From a new browser the right password asks for the second proof: a link by e-mail.
    away = browser(site, OWNER_AWAY)
    answer = _try(away, "admin@test.example", PASSWORD)
    assert answer.status_code == 400 and PROOF in text_of(answer.text)
    assert away.get("/-/admin", follow_redirects=False).status_code == 303
    (mail,) = wait_for_mail(smtp_inbox)
    assert mail["To"] == "admin@test.example" and mail["Content-Language"] == "sv"
    link = link_in(mail, "/konto/inloggningslank/")
    assert "Logga in som Ada Admin" in text_of(away.get(link).text)
    assert away.submit(link).status_code == 303
    assert "Ada Admin" in away.get("/-/admin").text
    # Once only.
    again = browser(site, OWNER_AWAY).submit(link)
    assert again.status_code == 400 and "Länken har redan använts" in text_of(again.text)


def test_a_wrong_password_under_attack_sends_no_link(make_site, smtp_inbox, quick_slowdown, browser):
    site = make_site(plugins=[], extra=smtp_settings(smtp_inbox.port))
    add_user(site, "ada@test.example")
    attacker = browser(site, ATTACKER)
    for n in range(ACCOUNT_FAILURES + 3):
        _try(attacker, "ada@test.example", f"fel-{n}")
    with site.session() as db:
        assert db.exec(select(OutboxMessage)).all() == [], "only the right password earns a sign-in link"


@contextmanager
def served(site) -> Iterator[str]:
    """The site on a real uvicorn server, started as ``paraply serve`` starts it."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(site), host="127.0.0.1", port=port, log_level="warning", **SERVER_OPTIONS)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)


def _rotating_guesses(site, base: str, count: int) -> list[httpx.Response]:
    with httpx.Client(base_url=base) as http:
        http.get("/konto/logga-in")
        token = http.cookies[csrf_cookie_name(site.slug)]
        return [
            http.post(
                "/konto/logga-in",
                data={"csrftoken": token, "email": f"nobody{n}@test.example", "password": "gissning"},
                headers={"X-Forwarded-For": f"10.{n}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"},
            )
            for n in range(count)
        ]


def test_a_rotating_forwarded_for_from_localhost_does_not_escape_the_address_limit(make_site):
    site = make_site(plugins=[])
    with served(site) as base:
        answers = _rotating_guesses(site, base, IP_LIMIT + 1)
    assert WRONG in text_of(answers[IP_LIMIT - 1].text)
    assert BLOCKED in text_of(answers[IP_LIMIT].text), "a new X-Forwarded-For per request must not reset the limit"


def test_forwarded_for_is_believed_from_a_trusted_proxy(make_site):
    site = make_site(plugins=[], extra='[server]\ntrusted_proxies = ["127.0.0.1"]\n')
    add_user(site, "ada@test.example", name="Ada")
    with served(site) as base:
        answers = _rotating_guesses(site, base, IP_LIMIT + 1)
        assert all(WRONG in text_of(a.text) for a in answers), "behind the proxy each visitor has their own limit"
        with httpx.Client(base_url=base) as http:
            http.get("/konto/logga-in")
            token = http.cookies[csrf_cookie_name(site.slug)]
            proxied = {"X-Forwarded-For": "198.51.100.200, 127.0.0.1"}
            http.post(
                "/konto/logga-in",
                data={"csrftoken": token, "email": "ada@test.example", "password": PASSWORD},
                headers=proxied,
            )
            sessions = text_of(http.get("/konto/inloggningar", headers=proxied).text)
    assert "198.51.100.0/24" in sessions, "the session is recorded from the visitor's network, not the proxy's"


def test_trusted_proxies_must_be_addresses(tmp_path):
    from core.settings import ConfigError
    from core.site import Site
    from tests.conftest import write_site

    folder = write_site(tmp_path, "fel", [], extra='[server]\ntrusted_proxies = ["proxyn"]\n')
    with pytest.raises(ConfigError) as problem:
        Site.load(folder)
    assert "server.trusted_proxies" in str(problem.value) and "'proxyn' is not an IP address" in str(problem.value)


def test_addresses_of_one_ipv6_network_share_one_limit(make_site):
    """An IPv6 visitor gets a whole /64: a new address from it per guess
    must not give a fresh allowance each time (review of issue 13)."""
    site = make_site(plugins=[], extra='[server]\ntrusted_proxies = ["127.0.0.1"]\n')
    with served(site) as base, httpx.Client(base_url=base) as http:
        http.get("/konto/logga-in")
        token = http.cookies[csrf_cookie_name(site.slug)]
        answers = [
            http.post(
                "/konto/logga-in",
                data={"csrftoken": token, "email": f"nobody{n}@test.example", "password": "gissning"},
                headers={"X-Forwarded-For": f"2001:db8:7:9:{secrets.randbelow(65536):x}::{n + 1:x}"},
            )
            for n in range(IP_LIMIT + 1)
        ]
    assert WRONG in text_of(answers[IP_LIMIT - 1].text)
    assert BLOCKED in text_of(answers[IP_LIMIT].text), "one /64 is one visitor to the throttle"
