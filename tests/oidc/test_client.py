"""Signing in with an outside OpenID provider, end to end: a site on a real
uvicorn server, a real provider (oidc-provider on Node) and a person's
browser signing in on the provider's own pages. Every way it can go wrong
says so in Swedish on the login page and changes nothing."""

from __future__ import annotations

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
