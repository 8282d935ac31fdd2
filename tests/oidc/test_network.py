"""Single sign-on across the network: Möckeln is the OpenID provider
(authlib's server side), Kristinehamn trusts it. Two real sites on real
uvicorn servers, on each database; a volunteer signed in at Möckeln signs in
at Kristinehamn with one click and no new password, and gets no roles there."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx
import pytest
from click.testing import CliRunner
from joserfc import jwt
from joserfc.jwk import KeySet
from sqlmodel import select

from core.accounts import NO_PASSWORD, create_user
from core.cli import cli
from core.models import Role, User
from core.oidc import client, keys
from core.oidc.models import OidcCode, OidcKey
from core.site import Site
from tests.conftest import DATABASES, PASSWORD, _new_pg_database
from tests.federation.harness import Server, free_port
from tests.oidc.harness import ADMIN, Person, make_site, oidc_toml, query, serve, text_of

SECRET = "natverkets-hemlighet"
VOLUNTEER = "vera@mockeln.example"


@dataclass
class Net:
    mockeln: Site
    kristinehamn: Site
    m_url: str
    k_url: str
    servers: list[Server]


def provider_toml(k_url: str, algorithm: str = "RS256") -> str:
    return f"""
[auth.provider]
enabled = true
algorithm = "{algorithm}"

[[auth.provider.clients]]
client_id = "kristinehamn"
name = "Kristinehamns Föreningsråd"
redirect_uris = ["{k_url}/konto/oidc/mockeln/tillbaka"]
"""


@pytest.fixture(params=DATABASES)
def net(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Net]:
    monkeypatch.setenv("PARAPLY_OIDC_MOCKELN_SECRET", SECRET)
    monkeypatch.setenv("PARAPLY_OIDC_CLIENT_KRISTINEHAMN_SECRET", SECRET)
    if request.param == "sqlite":
        urls = [f"sqlite:///{tmp_path / 'm.db'}", f"sqlite:///{tmp_path / 'k.db'}"]
    else:
        cluster = request.getfixturevalue("pg_cluster")
        urls = [_new_pg_database(cluster), _new_pg_database(cluster)]
    m_port, k_port = free_port(), free_port()
    m_url, k_url = f"http://127.0.0.1:{m_port}", f"http://127.0.0.1:{k_port}"
    mockeln = make_site(tmp_path, "mockeln", "Möckelnföreningarna", m_port, urls[0], provider_toml(k_url))
    with mockeln.session() as db:
        create_user(db, VOLUNTEER, "Vera Volontär", PASSWORD)
        db.commit()
    toml = oidc_toml("mockeln", "Möckelnföreningarna", m_url, "kristinehamn", create_accounts=True)
    kristinehamn = make_site(tmp_path, "kristinehamn", "Kristinehamns Föreningsråd", k_port, urls[1], toml)
    servers = [serve(mockeln, m_port), serve(kristinehamn, k_port)]
    yield Net(mockeln, kristinehamn, m_url, k_url, servers)
    for server in servers:
        server.stop()
    mockeln.dispose()
    kristinehamn.dispose()
    client.forget_cached()


def password_login(person: Person, site_url: str, email: str) -> None:
    response = person.http.post(
        site_url + "/konto/logga-in",
        data={"csrftoken": person.csrf(site_url), "email": email, "password": PASSWORD},
    )
    assert response.status_code == 303, text_of(response.text)[:300]


def said(page: httpx.Response) -> str:
    """What the page's main part says (a failed sign-in's message), for a failing assert."""
    found = re.search(r"<main\b.*?</main>", page.text, flags=re.S)
    return f"{page.url}: " + text_of(found.group(0) if found else page.text)[:600]


def consent_token(page: httpx.Response) -> str:
    found = re.search(r'name="csrftoken" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


def network_sign_in(person: Person, net: Net, choice: str = "continue") -> httpx.Response:
    """Press Möckeln's button at Kristinehamn, then "Fortsätt som …" at Möckeln."""
    location = person.press_provider_button(net.k_url, "mockeln", "/konto/losenord")
    assert location.startswith(net.m_url + "/oidc/authorize?")
    consent = person.open(location)
    assert consent.status_code == 200, text_of(consent.text)[:300]
    assert "Fortsätt som Vera Volontär" in text_of(consent.text)
    action = re.search(r'<form method="post" action="([^"]+)"', consent.text)
    assert action
    response = person.http.post(
        net.m_url + action.group(1).replace("&amp;", "&"),
        data={"csrftoken": consent_token(consent), "choice": choice},
    )
    assert response.status_code == 303
    return person.follow(response)


def test_a_volunteer_signs_in_across_the_network_with_one_click(net):
    person = Person()
    try:
        password_login(person, net.m_url, VOLUNTEER)
        page = network_sign_in(person, net)
        assert urlsplit(str(page.url)).netloc == urlsplit(net.k_url).netloc
        assert urlsplit(str(page.url)).path == "/konto/losenord"
        assert "Välkommen, Vera Volontär! Du är inloggad." in text_of(page.text), said(page)
        assert person.signed_in(net.k_url)
        # No roles at Kristinehamn: not an admin, and the account has no password of its own.
        assert person.http.get(net.k_url + "/-/admin").status_code == 403
        with net.kristinehamn.session() as db:
            vera = db.exec(select(User).where(User.email == VOLUNTEER)).one()
        assert (vera.name, vera.role, vera.is_admin) == ("Vera Volontär", Role.NONE, False)
        assert vera.password_hash == NO_PASSWORD
        # The code was used once and is gone.
        with net.mockeln.session() as db:
            assert db.exec(select(OidcCode)).all() == []
    finally:
        person.close()

    # Kristinehamn's admin sees the new account, with no role, and grants one there.
    admin = Person()
    try:
        password_login(admin, net.k_url, ADMIN)
        listing = text_of(admin.http.get(net.k_url + "/-/admin/anvandare").text)
        assert f"Vera Volontär {VOLUNTEER} Ingen roll Aktivt" in listing
        form = admin.http.get(f"{net.k_url}/-/admin/anvandare/{vera.id}")
        assert '<option selected value="none">' in form.text or 'value="none" selected' in form.text
        granted = admin.http.post(
            f"{net.k_url}/-/admin/anvandare/{vera.id}",
            data={
                "csrftoken": consent_token(form),
                "name": vera.name,
                "email": vera.email,
                "role": "editor",
                "is_active": "y",
            },
        )
        assert granted.status_code == 303, text_of(granted.text)[:300]
        with net.kristinehamn.session() as db:
            assert db.exec(select(User).where(User.email == VOLUNTEER)).one().role == Role.EDITOR
    finally:
        admin.close()


def test_a_person_not_signed_in_at_the_provider_logs_in_there_first(net):
    person = Person()
    try:
        location = person.press_provider_button(net.k_url, "mockeln")
        login = person.http.get(location)
        assert login.status_code == 303 and login.headers["location"].startswith("/konto/logga-in?next=")
        next_url = query(net.m_url + login.headers["location"])["next"]
        response = person.http.post(
            net.m_url + "/konto/logga-in?" + urlencode({"next": next_url}),
            data={"csrftoken": person.csrf(net.m_url), "email": VOLUNTEER, "password": PASSWORD},
        )
        consent = person.follow(response)
        assert "Fortsätt som Vera Volontär" in text_of(consent.text)
        assert "Fortsätt till Kristinehamns Föreningsråd" in text_of(consent.text)
    finally:
        person.close()


def test_cancelling_at_the_provider_signs_nobody_in(net):
    person = Person()
    try:
        password_login(person, net.m_url, VOLUNTEER)
        page = network_sign_in(person, net, choice="cancel")
        assert "Inloggningen hos Möckelnföreningarna avbröts eller nekades" in text_of(page.text)
        assert not person.signed_in(net.k_url)
        with net.kristinehamn.session() as db:
            assert db.exec(select(User).where(User.email == VOLUNTEER)).first() is None
    finally:
        person.close()


def test_discovery_and_keys_are_published(net):
    doc = httpx.get(net.m_url + "/.well-known/openid-configuration").json()
    assert doc["issuer"] == net.m_url
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    keys_doc = httpx.get(doc["jwks_uri"]).json()
    assert len(keys_doc["keys"]) == 1
    key = keys_doc["keys"][0]
    assert key["kid"] and key["kty"] == "RSA" and "d" not in key and "p" not in key  # public half only
    # Kristinehamn is no provider: nothing there.
    assert httpx.get(net.k_url + "/.well-known/openid-configuration").status_code == 404
    assert httpx.get(net.k_url + "/oidc/jwks").status_code == 404


def test_keys_rotate_and_the_old_key_stays_published_for_a_while(net):
    person = Person()
    try:
        password_login(person, net.m_url, VOLUNTEER)
        network_sign_in(person, net)  # Kristinehamn now holds Möckeln's first key
        first = httpx.get(net.m_url + "/oidc/jwks").json()["keys"][0]["kid"]

        result = CliRunner().invoke(
            cli,
            ["oidc-rotate-keys", "--site", str(net.mockeln.folder)],
            env={"PARAPLY_DATABASE_URL": net.mockeln.database_url},
        )
        assert result.exit_code == 0, result.output
        published = [k["kid"] for k in httpx.get(net.m_url + "/oidc/jwks").json()["keys"]]
        assert len(published) == 2 and published[1] == first  # new first, the old one still there

        # Signed with the new key: Kristinehamn reads the keys again for the unknown kid.
        again = Person()
        try:
            password_login(again, net.m_url, VOLUNTEER)
            page = network_sign_in(again, net)
            assert "Välkommen, Vera Volontär!" in text_of(page.text), said(page)
        finally:
            again.close()
    finally:
        person.close()

    # The daily job: a week on, the retired key is gone; after key_days, a new one takes over.
    now = net.mockeln.clock.now()
    with net.mockeln.session() as db:
        assert "gamla nycklar borttagna" in keys.daily(db, "RS256", 90, 7, now + timedelta(days=8))
        assert "ny signeringsnyckel" in keys.daily(db, "RS256", 90, 7, now + timedelta(days=91))
        assert len(db.exec(select(OidcKey)).all()) == 2


def _code_for_kristinehamn(net: Net, person: Person) -> tuple[str, str]:
    """Sign in up to the redirect back; return (callback URL, code) unopened."""
    password_login(person, net.m_url, VOLUNTEER)
    location = person.press_provider_button(net.k_url, "mockeln")
    consent = person.open(location)
    action = re.search(r'<form method="post" action="([^"]+)"', consent.text)
    assert action
    response = person.http.post(
        net.m_url + action.group(1).replace("&amp;", "&"),
        data={"csrftoken": consent_token(consent), "choice": "continue"},
    )
    back = response.headers["location"]
    assert back.startswith(net.k_url)
    return back, query(back)["code"]


def _exchange(net: Net, code: str, secret: str = SECRET, verifier: str = "v" * 50) -> httpx.Response:
    auth = base64.b64encode(f"kristinehamn:{secret}".encode()).decode()
    return httpx.post(
        net.m_url + "/oidc/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": net.k_url + "/konto/oidc/mockeln/tillbaka",
            "code_verifier": verifier,
        },
        headers={"Authorization": f"Basic {auth}"},
    )


def test_the_token_endpoint_wants_the_secret_and_the_pkce_verifier_and_one_use(net):
    person = Person()
    try:
        back, code = _code_for_kristinehamn(net, person)
        assert _exchange(net, code, secret="wrong").json()["error"] == "invalid_client"
        assert _exchange(net, code).json()["error"] == "invalid_grant"  # wrong verifier
        # A code that was tried with a wrong verifier is not spent; the real client still gets in.
        page = person.open(back)
        assert "Välkommen, Vera Volontär!" in text_of(page.text), said(page)
        # ... and the code is then spent: replaying it fails.
        assert _exchange(net, code).json()["error"] == "invalid_grant"
    finally:
        person.close()


def test_an_id_token_is_signed_with_a_published_kid_and_says_who(net):
    """What a peer receives, taken from the token endpoint as a peer would
    (with its own verifier) and checked with joserfc against the JWKS."""
    from authlib.oauth2.rfc7636 import create_s256_code_challenge

    verifier = "w" * 60
    params = {
        "response_type": "code",
        "client_id": "kristinehamn",
        "redirect_uri": net.k_url + "/konto/oidc/mockeln/tillbaka",
        "scope": "openid email profile",
        "state": "st",
        "nonce": "nonce-123",
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256",
    }
    person = Person()
    try:
        password_login(person, net.m_url, VOLUNTEER)
        consent = person.http.get(net.m_url + "/oidc/authorize?" + urlencode(params))
        response = person.http.post(
            net.m_url + "/oidc/authorize?" + urlencode(params),
            data={"csrftoken": consent_token(consent), "choice": "continue"},
        )
        back = query(response.headers["location"])
        assert back["state"] == "st"
        answer = _exchange(net, back["code"], verifier=verifier)
        assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
        id_token = answer.json()["id_token"]
    finally:
        person.close()
    published = KeySet.import_key_set(httpx.get(net.m_url + "/oidc/jwks").json())
    token = jwt.decode(id_token, published, algorithms=["RS256"])
    assert token.header["kid"] in {k.kid for k in published.keys}
    claims = token.claims
    assert (claims["iss"], claims["aud"], claims["nonce"]) == (net.m_url, ["kristinehamn"], "nonce-123")
    assert (claims["email"], claims["email_verified"], claims["name"]) == (VOLUNTEER, True, "Vera Volontär")
    assert claims["exp"] - claims["iat"] == 300


def test_an_unregistered_peer_or_address_gets_no_code(net):
    person = Person()
    try:
        password_login(person, net.m_url, VOLUNTEER)
        base = {
            "response_type": "code",
            "client_id": "kristinehamn",
            "redirect_uri": net.k_url + "/konto/oidc/mockeln/tillbaka",
            "scope": "openid email profile",
            "state": "s",
            "nonce": "n",
            "code_challenge": "c" * 43,
            "code_challenge_method": "S256",
        }
        explanations = {
            "okand": "inte ansluten till nätverkets inloggning",
            "https://evil.example/cb": "en adress som den inte har anmält",
            "x" * 5000: "inte ansluten till nätverkets inloggning",
        }
        for change in (
            {"client_id": "okand"},
            {"redirect_uri": "https://evil.example/cb"},
            {"client_id": "x" * 5000},
        ):
            page = person.http.get(net.m_url + "/oidc/authorize?" + urlencode(base | change))
            assert page.status_code == 400
            shown = text_of(page.text)
            assert "Inloggningen kan inte göras" in shown
            assert explanations[next(iter(change.values()))] in shown
            assert 'href="/"' in page.text  # a way back
            # authlib's own English never reaches the person
            for english in ("client", "Redirect", "redirect_uri", "not supported", "Invalid"):
                assert english not in shown, (english, shown)
        # In English for a visitor who reads the site in English.
        person.http.get(net.m_url + "/?lang=en")
        page = person.http.get(net.m_url + "/oidc/authorize?" + urlencode(base | {"client_id": "okand"}))
        assert page.status_code == 400 and '<html lang="en">' in page.text
        assert "is not connected to the network's sign-in" in text_of(page.text)
        person.http.get(net.m_url + "/?lang=sv")
        # A registered peer asking wrongly (no PKCE) hears so at its own address.
        no_pkce = {k: v for k, v in base.items() if not k.startswith("code_challenge")}
        page = person.http.get(net.m_url + "/oidc/authorize?" + urlencode(no_pkce))
        assert page.status_code == 303 and page.headers["location"].startswith(net.k_url)
        assert "error=invalid_request" in page.headers["location"]
        # No nonce: refused too.
        no_nonce = {k: v for k, v in base.items() if k != "nonce"}
        page = person.http.get(net.m_url + "/oidc/authorize?" + urlencode(no_nonce))
        assert page.status_code == 303 and "error=invalid_request" in page.headers["location"]
    finally:
        person.close()


def test_a_site_trusts_only_the_issuers_it_lists(net, tmp_path):
    """Storfors lists no provider: no button, and Möckeln's callback path is 404 there."""
    port = free_port()
    storfors = make_site(tmp_path, "storfors", "Storfors", port, f"sqlite:///{tmp_path / 'st.db'}")
    server = serve(storfors, port)
    try:
        page = httpx.get(f"http://127.0.0.1:{port}/konto/logga-in")
        assert "Logga in med" not in text_of(page.text)
        assert httpx.get(f"http://127.0.0.1:{port}/konto/oidc/mockeln/tillbaka?code=x&state=y").status_code == 404
    finally:
        server.stop()
        storfors.dispose()


def test_the_token_endpoint_takes_no_junk(net):
    for body, headers in (
        (b"\xff\xfe" * 10, {"content-type": "application/x-www-form-urlencoded"}),
        (b"a=" + b"x" * 20000, {}),
        (b"grant_type=password&username=a&password=b", {}),
        (b"", {}),
    ):
        response = httpx.post(net.m_url + "/oidc/token", content=body, headers=headers)
        assert 400 <= response.status_code < 500, (body[:20], response.status_code)
        assert "error" in response.json()


def test_es256_keys_sign_as_well(net):
    """A provider set to ES256 makes an EC key at once and peers verify it."""
    provider = net.mockeln.config.auth.provider.model_copy(update={"algorithm": "ES256"})
    auth = net.mockeln.config.auth.model_copy(update={"provider": provider})
    net.mockeln.config = net.mockeln.config.model_copy(update={"auth": auth})
    jwks_doc = httpx.get(net.m_url + "/oidc/jwks").json()
    assert jwks_doc["keys"][0]["kty"] == "EC" and jwks_doc["keys"][0]["alg"] == "ES256"
    person = Person()
    try:
        password_login(person, net.m_url, VOLUNTEER)
        page = network_sign_in(person, net)
        assert "Välkommen, Vera Volontär!" in text_of(page.text), said(page)
    finally:
        person.close()


def test_the_daily_job_deletes_codes_nobody_exchanged(net):
    from core.daily import jobs

    [job] = [j for j in jobs(net.mockeln) if j.name == "oidc-keys"]
    assert not [j for j in jobs(net.kristinehamn) if j.name == "oidc-keys"]  # no provider, no job
    now = net.mockeln.clock.now()
    with net.mockeln.session() as db:
        vera = db.exec(select(User).where(User.email == VOLUNTEER)).one()
        for age, code in ((timedelta(hours=2), "old"), (timedelta(minutes=1), "fresh")):
            db.add(
                OidcCode(
                    code=code,
                    client_id="kristinehamn",
                    user_id=vera.id,
                    redirect_uri="x",
                    scope="openid",
                    code_challenge="c",
                    code_challenge_method="S256",
                    auth_time=0,
                    created_at=now - age,
                )
            )
        db.commit()
    job.run(net.mockeln, now)
    with net.mockeln.session() as db:
        assert [c.code for c in db.exec(select(OidcCode)).all()] == ["fresh"]
