"""Logging in and out, throttling, password changes and the user admin,
through the real app on both databases."""

from __future__ import annotations

from core.models import Role
from tests.conftest import PASSWORD, add_user, text_of


def test_login_page_is_swedish_and_has_labelled_fields(make_site, make_client):
    site = make_site(plugins=[])
    page = make_client(site).get("/konto/logga-in")
    assert page.status_code == 200
    assert '<html lang="sv">' in page.text
    assert '<label for="email">E-postadress</label>' in page.text
    assert '<label for="password">Lösenord</label>' in page.text


def test_login_sets_signed_httponly_samesite_cookie_and_logout_clears_it(make_site, make_client):
    site = make_site(plugins=[])
    add_user(site, "ada@test.example", Role.ADMIN, "Ada")
    client = make_client(site)
    response = client.login("ada@test.example")
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "Ada" in text_of(client.get("/-/admin").text)
    client.submit("/konto/logga-ut")
    assert client.get("/-/admin", follow_redirects=False).status_code == 303


def test_wrong_password_says_so_in_swedish(make_site, make_client):
    site = make_site(plugins=[])
    add_user(site, "ada@test.example")
    response = make_client(site).submit("/konto/logga-in", {"email": "ada@test.example", "password": "fel"})
    assert response.status_code == 400
    assert "Fel e-postadress eller lösenord" in text_of(response.text)


def test_post_without_csrf_token_is_refused(make_site, make_client):
    site = make_site(plugins=[])
    add_user(site, "ada@test.example")
    client = make_client(site)
    client.get("/konto/logga-in")
    response = client.post(
        "/konto/logga-in", data={"email": "ada@test.example", "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 403
    assert "Formuläret kunde inte skickas" in response.text
