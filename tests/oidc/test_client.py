"""Signing in with an outside OpenID provider, end to end: a site on a real
uvicorn server, a real provider (oidc-provider on Node) and a person's
browser signing in on the provider's own pages. Every way it can go wrong
says so in Swedish on the login page and changes nothing."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode, urlsplit

import httpx
from sqlmodel import func, select

from core.accounts import create_user
from core.models import User
from core.oidc.models import OidcIdentity
from tests.conftest import PASSWORD
from tests.oidc.harness import Person, query, text_of


def _anna(signin) -> None:
    with signin.site.session() as db:
        create_user(db, "anna@example.org", "Anna Andersson", PASSWORD)
        db.commit()


def _counts(signin) -> tuple[int, int]:
    with signin.site.session() as db:
        users = db.exec(select(func.count()).select_from(User)).one()
        links = db.exec(select(func.count()).select_from(OidcIdentity)).one()
    return users, links


def _sign_in(person: Person, signin, login: str, next_url: str = "/") -> httpx.Response:
    auth_url = person.press_provider_button(signin.url, "testid", next_url)
    back = person.sign_in_at_node_provider(auth_url, login, signin.url)
    return person.open(back)


def test_the_login_page_has_a_button_per_provider(signin, person):
    page = text_of(person.http.get(signin.url + "/konto/logga-in").text)
    assert "Logga in med Test-ID" in page


def test_a_person_signs_in_with_a_verified_address_and_is_linked(signin, person):
    _anna(signin)
    auth_url = person.press_provider_button(signin.url, "testid", "/konto/losenord")
    asked = query(auth_url)
    assert asked["code_challenge_method"] == "S256" and asked["code_challenge"] and asked["nonce"] and asked["state"]
    assert auth_url.startswith(signin.provider.issuer + "/auth?")
    page = person.open(person.sign_in_at_node_provider(auth_url, "anna", signin.url))
    assert page.status_code == 200
    assert urlsplit(str(page.url)).path == "/konto/losenord"  # where the person was going
    assert "Välkommen, Anna Andersson! Du är inloggad." in text_of(page.text)
    assert person.signed_in(signin.url)
    with signin.site.session() as db:
        link = db.exec(select(OidcIdentity)).one()
        anna = db.exec(select(User).where(User.email == "anna@example.org")).one()
    assert (link.issuer, link.subject, link.user_id) == (signin.provider.issuer, "anna", anna.id)
    assert anna.role == "editor" and anna.last_login_at is not None

    # Next time the link alone finds the account, in a fresh browser.
    again = Person()
    try:
        page = _sign_in(again, signin, "anna")
        assert "Välkommen, Anna Andersson!" in text_of(page.text)
        assert again.signed_in(signin.url)
    finally:
        again.close()
    assert _counts(signin) == (2, 1)


def test_an_unverified_address_links_nothing(signin, person):
    _anna(signin)
    before = _counts(signin)
    page = _sign_in(person, signin, "overifierad")
    assert urlsplit(str(page.url)).path == "/konto/logga-in"
    assert "Test-ID har inte bekräftat din e-postadress" in text_of(page.text)
    assert not person.signed_in(signin.url)
    assert _counts(signin) == before


def test_an_address_without_an_account_makes_no_account(signin, person):
    before = _counts(signin)
    page = _sign_in(person, signin, "ny")
    assert "Det finns inget konto för ny@example.org här. Be webbplatsens administratör om en inbjudan" in text_of(
        page.text
    )
    assert not person.signed_in(signin.url)
    assert _counts(signin) == before


def test_a_wrong_state_is_refused(signin, person):
    _anna(signin)
    auth_url = person.press_provider_button(signin.url, "testid")
    back = person.sign_in_at_node_provider(auth_url, "anna", signin.url)
    forged = back.replace("state=" + query(back)["state"], "state=" + "x" * 32)
    page = person.open(forged)
    assert "svaret hörde inte ihop med en inloggning som började här (fel state)" in text_of(page.text)
    assert not person.signed_in(signin.url)
    # The real answer after the forged one is spent too: the state was for one use.
    assert _counts(signin) == (2, 0)


def test_an_answer_from_another_browser_is_refused(signin, person):
    """Login CSRF: someone else's callback (with their state) in this browser."""
    _anna(signin)
    auth_url = person.press_provider_button(signin.url, "testid")
    back = person.sign_in_at_node_provider(auth_url, "anna", signin.url)
    victim = Person()
    try:
        page = victim.open(back)
        assert "(fel state)" in text_of(page.text)
        assert not victim.signed_in(signin.url)
    finally:
        victim.close()


def test_a_wrong_nonce_is_refused(signin, person):
    _anna(signin)
    auth_url = person.press_provider_button(signin.url, "testid")
    tampered = auth_url.replace("nonce=" + query(auth_url)["nonce"], "nonce=" + "n" * 32)
    page = person.open(person.sign_in_at_node_provider(tampered, "anna", signin.url))
    assert "svaret hörde inte till den här inloggningen (fel nonce)" in text_of(page.text)
    assert not person.signed_in(signin.url)
    assert _counts(signin) == (2, 0)


def test_an_expired_id_token_is_refused(signin, person):
    """The provider's ID tokens live an hour: two hours on, ours is stale."""
    _anna(signin)
    auth_url = person.press_provider_button(signin.url, "testid")
    back = person.sign_in_at_node_provider(auth_url, "anna", signin.url)
    signin.site.clock.set(datetime.now(UTC) + timedelta(hours=2))
    page = person.open(back)
    assert "Inloggningen har gått ut (ID-token för gammal)" in text_of(page.text)
    assert not person.signed_in(signin.url)
    assert _counts(signin) == (2, 0)


def test_a_clock_skew_beyond_the_tolerance_is_refused(signin, person):
    _anna(signin)
    auth_url = person.press_provider_button(signin.url, "testid")
    back = person.sign_in_at_node_provider(auth_url, "anna", signin.url)
    signin.site.clock.set(datetime.now(UTC) - timedelta(minutes=10))
    page = person.open(back)
    assert "Klockan här och hos inloggningstjänsten skiljer sig för mycket åt" in text_of(page.text)
    assert _counts(signin) == (2, 0)


def test_a_skew_within_the_tolerance_is_fine(signin, person):
    _anna(signin)
    auth_url = person.press_provider_button(signin.url, "testid")
    back = person.sign_in_at_node_provider(auth_url, "anna", signin.url)
    signin.site.clock.set(datetime.now(UTC) - timedelta(seconds=60))
    page = person.open(back)
    assert "Välkommen, Anna Andersson!" in text_of(page.text)


def test_the_provider_saying_no_is_a_message(signin, person):
    auth_url = person.press_provider_button(signin.url, "testid")
    state = query(auth_url)["state"]
    page = person.open(
        signin.url + "/konto/oidc/testid/tillbaka?" + urlencode({"error": "access_denied", "state": state})
    )
    assert "Inloggningen hos Test-ID avbröts eller nekades" in text_of(page.text)


def test_a_provider_that_is_down_is_a_message(signin, person):
    signin.provider.stop()
    try:
        response = person.http.post(
            signin.url + "/konto/oidc/testid/start", data={"csrftoken": person.csrf(signin.url), "next": "/"}
        )
        page = person.follow(response)
        assert urlsplit(str(page.url)).path == "/konto/logga-in"
        assert "Inloggningstjänsten svarar inte just nu. Försök igen om en stund" in text_of(page.text)
        assert _counts(signin) == (1, 0)
    finally:
        signin.provider.start()  # the module's provider is shared


def test_an_unknown_provider_is_404(signin, person):
    response = person.http.post(signin.url + "/konto/oidc/okand/start", data={"csrftoken": person.csrf(signin.url)})
    assert response.status_code == 404
    assert person.http.get(signin.url + "/konto/oidc/okand/tillbaka?code=x&state=y").status_code == 404


def test_a_callback_with_junk_changes_nothing(signin, person):
    for junk in ("", "?code=" + "x" * 5000, "?state=%00%ff&code=1", "?error=" + "y" * 3000):
        page = person.open(signin.url + "/konto/oidc/testid/tillbaka" + junk)
        assert page.status_code == 200 and urlsplit(str(page.url)).path == "/konto/logga-in"
        assert "(fel state)" in text_of(page.text)
    assert _counts(signin) == (1, 0)


def _invite(signin, email: str = "cilla@kristinehamn.example", name: str = "Cilla Cello") -> str:
    """An admin's invitation (as ``/-/admin/anvandare/ny`` makes it): the link's path."""
    from core import tokens
    from core.accounts import create_invited_user

    with signin.site.session() as db:
        user = create_invited_user(db, email, name)
        token = tokens.issue(db, user, tokens.Purpose.INVITE, signin.site.clock.now())
        db.commit()
    return f"/konto/inbjudan/{token}"


def _accept_with_provider(person: Person, signin, invitation: str, login: str) -> httpx.Response:
    page = person.http.get(signin.url + invitation)
    assert "Logga in med Test-ID" in text_of(page.text)
    csrf = re.search(r'name="csrftoken" value="([^"]+)"', page.text)
    assert csrf is not None
    pressed = person.http.post(f"{signin.url}{invitation}/oidc/testid", data={"csrftoken": csrf.group(1)})
    assert pressed.status_code == 303, pressed.text[:300]
    back = person.sign_in_at_node_provider(pressed.headers["location"], login, signin.url)
    answer = person.http.get(back)
    assert answer.status_code == 303 and answer.headers["location"] == "/", answer.text[:300]
    return person.http.get(signin.url + "/konto/losenord")  # the next page shows the greeting


def test_an_invitation_is_accepted_by_signing_in_with_a_provider(signin, person):
    """The provider's address (cilla-privat@example.org) is not the invited
    one, and need not be: the invitation link proves who it is for."""
    invitation = _invite(signin)
    users, links = _counts(signin)
    page = _accept_with_provider(person, signin, invitation, "cilla-privat")
    assert page.status_code == 200, page.text[:300]
    assert "Välkommen, Cilla Cello! Ditt konto är kopplat till Test-ID och du är inloggad." in text_of(page.text)
    assert person.signed_in(signin.url)
    with signin.site.session() as db:
        cilla = db.exec(select(User).where(User.email == "cilla@kristinehamn.example")).one()
        link = db.exec(select(OidcIdentity)).one()
    assert (link.issuer, link.subject, link.user_id) == (signin.provider.issuer, "cilla-privat", cilla.id)
    assert _counts(signin) == (users, links + 1)  # no second account for the provider's address

    # Single use: the link now opens nothing, by password or by provider.
    other = Person()
    try:
        dead = other.http.get(signin.url + invitation)
        assert dead.status_code == 400 and "Länken fungerar inte" in text_of(dead.text)
        pressed = other.http.post(f"{signin.url}{invitation}/oidc/testid", data={"csrftoken": other.csrf(signin.url)})
        assert pressed.status_code == 303 and pressed.headers["location"] == invitation
    finally:
        other.close()

    # Next time the same button on the login page signs Cilla in.
    again = Person()
    try:
        page = _sign_in(again, signin, "cilla-privat")
        assert "Välkommen, Cilla Cello! Du är inloggad." in text_of(page.text)
    finally:
        again.close()


def test_an_invitation_spent_while_at_the_provider_links_nothing(signin, person):
    """The password is chosen on another device while this browser is at
    the provider; coming back from the provider links nothing and says why."""
    invitation = _invite(signin)
    users, links = _counts(signin)
    page = person.http.get(signin.url + invitation)
    csrf = re.search(r'name="csrftoken" value="([^"]+)"', page.text)
    assert csrf is not None
    pressed = person.http.post(f"{signin.url}{invitation}/oidc/testid", data={"csrftoken": csrf.group(1)})
    back = person.sign_in_at_node_provider(pressed.headers["location"], "cilla-privat", signin.url)
    phone = Person()
    try:
        form = phone.http.get(signin.url + invitation).text
        token = re.search(r'name="csrftoken" value="([^"]+)"', form)
        assert token is not None
        password = {"new": "ett-eget-losenord", "repeat": "ett-eget-losenord"}
        chosen = phone.http.post(signin.url + invitation, data={"csrftoken": token.group(1), **password})
        assert chosen.status_code == 303
    finally:
        phone.close()
    page = person.open(back)  # back to the invitation page, which says why
    assert page.status_code == 400
    assert "Inbjudan har redan använts" in text_of(page.text)
    assert not person.signed_in(signin.url)
    assert _counts(signin) == (users, links)
