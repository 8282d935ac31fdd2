"""A provider that answers garbage, or signs with a key it does not publish,
or claims to be someone else: each is a Swedish message on the login page,
never a 500, and nobody is signed in. The provider here is a small Starlette
app on a real uvicorn server; the site talks to it over real HTTP."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from core.oidc import client
from tests.federation.harness import Server, free_port
from tests.oidc.harness import Person, make_site, oidc_toml, query, serve, text_of

PUBLISHED = RSAKey.generate_key(2048, parameters={"kid": "published"})
UNPUBLISHED = RSAKey.generate_key(2048, parameters={"kid": "published"})  # same kid, other key


class Hostile:
    """What the fake provider does wrong this time."""

    def __init__(self, port: int) -> None:
        self.issuer = f"http://127.0.0.1:{port}"
        self.mode = "fine"
        self.nonce = ""
        #: The address it vouches for: by default the site's admin's (see the last test).
        self.email = "admin@natverk.example"

    def app(self) -> Starlette:
        def discovery(request: Request) -> Response:
            if self.mode == "discovery-junk":
                return PlainTextResponse("<html>not json" * 100)
            if self.mode == "discovery-list":
                return JSONResponse([1, 2, 3])
            issuer = "https://evil.example" if self.mode == "other-issuer" else self.issuer
            return JSONResponse(
                {
                    "issuer": issuer,
                    "authorization_endpoint": self.issuer + "/auth",
                    "token_endpoint": self.issuer + "/token",
                    "jwks_uri": self.issuer + "/jwks",
                    "id_token_signing_alg_values_supported": ["RS256"],
                }
            )

        def jwks(request: Request) -> Response:
            if self.mode == "jwks-junk":
                return JSONResponse({"keys": [{"kty": "RSA", "n": "!!", "e": 5}]})
            return JSONResponse({"keys": [PUBLISHED.as_dict(private=False)]})

        def token(request: Request) -> Response:
            claims = {
                "iss": self.issuer,
                "aud": "hostile-client",
                "sub": "mallory",
                "email": self.email,
                "email_verified": True,
                "iat": int(time.time()),
                "exp": int(time.time()) + 300,
                "nonce": self.nonce,
            }
            if self.mode == "token-500":
                return PlainTextResponse("oops", status_code=500)
            if self.mode == "token-junk":
                return JSONResponse({"id_token": "not.a.jwt", "access_token": "x"})
            if self.mode == "token-number":
                return JSONResponse({"id_token": 12, "access_token": ["x"]})
            if self.mode == "unpublished-key":
                return JSONResponse({"id_token": jwt.encode({"alg": "RS256", "kid": "published"}, claims, UNPUBLISHED)})
            if self.mode == "alg-none":
                import base64
                import json

                def b64(data: dict) -> str:
                    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

                return JSONResponse({"id_token": f"{b64({'alg': 'none'})}.{b64(claims)}."})
            if self.mode == "other-audience":
                claims["aud"] = "someone-else"
            if self.mode == "huge-exp":
                claims["exp"] = 2**70
                claims["iat"] = 2**70
            return JSONResponse({"id_token": jwt.encode({"alg": "RS256", "kid": "published"}, claims, PUBLISHED)})

        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", discovery),
                Route("/jwks", jwks),
                Route("/token", token, methods=["POST"]),
            ]
        )


@pytest.fixture
def hostile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Hostile, str]]:
    monkeypatch.setenv("PARAPLY_OIDC_ONDSKAN_SECRET", "s")
    hostile_port, site_port = free_port(), free_port()
    fake = Hostile(hostile_port)
    fake_server = Server(fake.app(), hostile_port)
    fake_server.start()
    toml = oidc_toml("ondskan", "Ondskan", fake.issuer, "hostile-client", create_accounts=True)
    site = make_site(tmp_path, "storfors", "Storfors", site_port, f"sqlite:///{tmp_path / 's.db'}", toml)
    server = serve(site, site_port)
    yield fake, f"http://127.0.0.1:{site_port}"
    server.stop()
    fake_server.stop()
    site.dispose()
    client.forget_cached()


MESSAGES = {
    "discovery-junk": "svarade med något som inte går att läsa",
    "discovery-list": "svarade med något som inte går att läsa",
    "other-issuer": "uppgav en annan utfärdare än den som står i webbplatsens inställningar",
    "token-500": "svarar inte just nu",
    "token-junk": "ogiltig ID-token",
    "token-number": "svarade med något som inte går att läsa",
    "unpublished-key": "ogiltig ID-token",
    "alg-none": "ogiltig ID-token",
    "other-audience": "ogiltig ID-token",
    "jwks-junk": "svarade med något som inte går att läsa",
    "huge-exp": "Klockan här och hos inloggningstjänsten skiljer sig för mycket åt",
}


@pytest.mark.parametrize("mode", list(MESSAGES))
def test_a_provider_answering_garbage_signs_nobody_in(hostile, mode):
    fake, site_url = hostile
    fake.mode = mode
    person = Person()
    try:
        response = person.http.post(
            site_url + "/konto/oidc/ondskan/start", data={"csrftoken": person.csrf(site_url), "next": "/"}
        )
        assert response.status_code == 303
        location = response.headers["location"]
        if location.startswith(fake.issuer):  # discovery passed: the provider "answers" with a code
            fake.nonce = query(location)["nonce"]
            page = person.open(f"{site_url}/konto/oidc/ondskan/tillbaka?code=abc&state={query(location)['state']}")
        else:
            page = person.follow(response)
        assert page.status_code == 200
        assert MESSAGES[mode] in text_of(page.text), text_of(page.text)[:400]
        assert not person.signed_in(site_url)
    finally:
        person.close()


def test_the_fake_provider_is_accepted_when_it_behaves(hostile):
    """The control case: the same provider, well-behaved, signs in (so the
    cases above fail for the reason they name)."""
    fake, site_url = hostile
    fake.email = "mallory@natverk.example"  # new here: the provider may create accounts
    person = Person()
    try:
        location = person.press_provider_button(site_url, "ondskan")
        fake.nonce = query(location)["nonce"]
        page = person.open(f"{site_url}/konto/oidc/ondskan/tillbaka?code=abc&state={query(location)['state']}")
        assert "Välkommen" in text_of(page.text)
        assert person.signed_in(site_url)
    finally:
        person.close()


def test_an_administrators_account_is_not_taken_over_by_a_vouched_address(hostile):
    """The hostile provider vouches for admin@natverk.example, the site's admin:
    linking stops there, and the admin keeps signing in with the password."""
    fake, site_url = hostile
    person = Person()
    try:
        location = person.press_provider_button(site_url, "ondskan")
        fake.nonce = query(location)["nonce"]
        page = person.open(f"{site_url}/konto/oidc/ondskan/tillbaka?code=abc&state={query(location)['state']}")
        assert "Ett administratörskonto kopplas inte till en inloggningstjänst automatiskt" in text_of(page.text)
        assert not person.signed_in(site_url)
    finally:
        person.close()
