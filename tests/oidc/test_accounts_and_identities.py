"""Where OpenID sign-in meets the account's life: deletion, promotion, the
subject peers keep. Found by reviewing the merged accounts and OpenID work;
each failed before its fix."""

from __future__ import annotations

import pytest
from sqlmodel import select

from core.models import Role, User
from core.oidc.client import Identity, OidcError, link
from core.oidc.models import OidcCode, OidcIdentity
from core.oidc.provider import network_subject
from core.oidc.settings import OidcProviderSection
from tests.conftest import PASSWORD, add_user, text_of

ISSUER = "https://mockeln.example"
PROVIDER = OidcProviderSection(name="mockeln", label="Möckelnföreningarna", issuer=ISSUER, client_id="k")


def _linked(site, email: str, role: Role = Role.EDITOR) -> User:
    user = add_user(site, email, role)
    with site.session() as db:
        db.add(OidcIdentity(user_id=user.id, issuer=ISSUER, subject="sub-1"))
        db.add(
            OidcCode(
                code="kod",
                client_id="peer",
                user_id=user.id,
                redirect_uri="https://peer.example/cb",
                scope="openid",
                code_challenge="x" * 43,
                code_challenge_method="S256",
                auth_time=1_800_000_000,
            )
        )
        db.commit()
    return user


def test_an_account_signed_in_through_a_provider_can_be_deleted(make_site, make_client):
    """Its identity and any unused code go with it (before: a foreign-key
    error, a 500, and the account stayed)."""
    site = make_site(plugins=[])
    _linked(site, "eva@test.example")
    client = make_client(site)
    client.login("eva@test.example")
    gone = client.submit("/konto/mina-uppgifter", {"password": PASSWORD, "confirm": "y"})
    assert gone.status_code == 303, text_of(gone.text)[:300]
    with site.session() as db:
        assert db.exec(select(User).where(User.email == "eva@test.example")).first() is None
        assert db.exec(select(OidcIdentity)).all() == [] and db.exec(select(OidcCode)).all() == []


def test_an_editor_made_admin_no_longer_signs_in_through_a_provider(make_site):
    """An admin signs in with a password; a link made while the person was
    an editor does not carry over to the new role."""
    site = make_site(plugins=[])
    user = _linked(site, "eva@test.example")
    identity = Identity(ISSUER, "sub-1", "eva@test.example", True, "Eva")
    assert link(site, PROVIDER, identity).id == user.id
    with site.session() as db:
        row = db.get(User, user.id)
        assert row is not None
        row.role = Role.ADMIN
        db.add(row)
        db.commit()
    with pytest.raises(OidcError, match="administratörskonto"):
        link(site, PROVIDER, identity)


def test_the_subject_peers_keep_is_never_given_to_another_person(make_site):
    """A deleted account's id is given to the next account (SQLite reuses
    the highest freed id); the subject is not, so a peer cannot sign the
    newcomer in to the deleted person's account there."""
    site = make_site(plugins=[])
    add_user(site, "first@test.example", Role.EDITOR)
    gone = add_user(site, "eva@test.example", Role.EDITOR)
    with site.session() as db:
        before = network_subject(db.get(User, gone.id))
        db.delete(db.get(User, gone.id))
        db.commit()
    newcomer = add_user(site, "ny@test.example", Role.EDITOR)
    with site.session() as db:
        after = network_subject(db.get(User, newcomer.id))
    assert before != after
    assert before.split(".")[0] == str(gone.id)


def test_a_public_provider_must_name_https_endpoints():
    """Discovery that sends the token endpoint over plain http would carry
    the client secret and the code unencrypted: refused unless the provider
    is on loopback or a private network (allow_private, the demo)."""
    from core.oidc.client import _url

    doc = {"token_endpoint": "http://login.example/token", "jwks_uri": "https://login.example/jwks"}
    with pytest.raises(OidcError, match="inte går att läsa"):
        _url(doc, "token_endpoint")
    assert _url(doc, "jwks_uri") == "https://login.example/jwks"
    assert _url(doc, "token_endpoint", https_only=False) == "http://login.example/token"
