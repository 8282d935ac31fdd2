"""CSRF on multipart forms (the upload forms): the token must be present,
match the cookie and come before any file."""

from __future__ import annotations

from tests.conftest import PASSWORD, add_user, text_of

BOUNDARY = "paraplygrans"


def multipart(parts: list[tuple[str, str, str | None]]) -> bytes:
    """A multipart body as a browser sends it: (name, value, filename) parts."""
    chunks = []
    for name, value, filename in parts:
        disposition = f'form-data; name="{name}"'
        if filename:
            disposition += f'; filename="{filename}"\r\nContent-Type: application/octet-stream'
        chunks.append(f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n{value}\r\n")
    chunks.append(f"--{BOUNDARY}--\r\n")
    return "".join(chunks).encode()


def post(client, parts):
    return client.post(
        "/konto/logga-in",
        content=multipart(parts),
        headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"},
        follow_redirects=False,
    )


def test_multipart_form_with_token_first_goes_through(make_site, make_client):
    site = make_site(plugins=[])
    add_user(site, "ada@test.example")
    client = make_client(site)
    token = client.csrf()
    response = post(
        client,
        [("csrftoken", token, None), ("email", "ada@test.example", None), ("password", PASSWORD, None)],
    )
    assert response.status_code == 303
    assert client.get("/konto/losenord", follow_redirects=False).status_code == 200


def test_multipart_form_with_wrong_or_missing_token_is_refused(make_site, make_client):
    site = make_site(plugins=[])
    add_user(site, "ada@test.example")
    client = make_client(site)
    client.csrf()
    for parts in (
        [("csrftoken", "fel-token", None), ("email", "ada@test.example", None), ("password", PASSWORD, None)],
        [("email", "ada@test.example", None), ("password", PASSWORD, None)],
    ):
        response = post(client, parts)
        assert response.status_code == 403
        assert "Formuläret kunde inte skickas" in text_of(response.text)


def test_file_before_the_token_is_refused_without_reading_it(make_site, make_client):
    site = make_site(plugins=[])
    add_user(site, "ada@test.example")
    client = make_client(site)
    token = client.csrf()
    response = post(
        client,
        [("logo", "x" * 10_000, "logo.png"), ("csrftoken", token, None), ("email", "ada@test.example", None)],
    )
    assert response.status_code == 403


def test_two_sites_on_one_host_keep_their_own_cookies(make_site, make_client, tmp_path):
    """Browsers keep cookies per host, not per port: the demo's four sites on
    127.0.0.1 must not overwrite each other's login or CSRF cookie."""
    first = make_site(slug="forsta", plugins=[])
    second = make_site(slug="andra", plugins=[], url=f"sqlite:///{tmp_path / 'andra.db'}")
    add_user(first, "ada@test.example")
    add_user(second, "bo@test.example")
    at_first, at_second = make_client(first), make_client(second)
    at_first.login("ada@test.example")
    token = at_first.csrf()
    # The same browser opens the second site, which sends all the host's cookies.
    for cookie in at_first.cookies.jar:
        at_second.cookies.jar.set_cookie(cookie)
    at_second.login("bo@test.example")
    for cookie in at_second.cookies.jar:
        at_first.cookies.jar.set_cookie(cookie)
    assert {cookie.name for cookie in at_first.cookies.jar} >= {
        "paraply_session_forsta",
        "paraply_session_andra",
        "csrftoken_forsta",
        "csrftoken_andra",
    }
    # Back at the first site: still logged in, and its open form still posts.
    assert at_first.get("/konto/losenord", follow_redirects=False).status_code == 200
    response = at_first.post("/konto/logga-ut", data={"csrftoken": token}, follow_redirects=False)
    assert response.status_code == 303


def test_a_refused_form_shows_the_sites_page_with_a_way_back(make_site, make_client):
    """An expired or missing token (a form left open overnight) gets the
    site's own page: its header, the visitor still logged in, a Swedish
    explanation and a link back to the form, not a bare page."""
    site = make_site(plugins=[])
    add_user(site, "ada@test.example", name="Ada Admin")
    client = make_client(site)
    client.login("ada@test.example")
    response = client.post(
        "/konto/losenord",
        data={"csrftoken": "gammal-token", "current": PASSWORD},
        headers={"referer": f"{site.base_url}/konto/losenord?x=1"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    page = text_of(response.text)
    assert "Formuläret kunde inte skickas" in page
    assert "Gå tillbaka, ladda om sidan och försök igen" in page
    assert 'class="site-header"' in response.text, "the page has the site's header"
    assert "Ada Admin" in page, "the header still shows who is logged in"
    assert 'href="/konto/losenord?x=1"' in response.text, "a link back to the form"
    assert 'href="/"' in response.text
    # A referer from elsewhere is not offered as the way back.
    other = client.post(
        "/konto/losenord",
        data={"csrftoken": "gammal-token"},
        headers={"referer": "https://annan.example/konto/losenord"},
        follow_redirects=False,
    )
    assert other.status_code == 403 and "annan.example" not in other.text


def test_a_refused_form_in_english(make_site, make_client):
    site = make_site(plugins=[])
    client = make_client(site)
    client.get("/?lang=en")
    response = client.post("/konto/logga-in", data={"email": "x@test.example"}, follow_redirects=False)
    assert response.status_code == 403
    assert '<html lang="en"' in response.text
    assert "Formuläret kunde inte skickas" not in response.text
