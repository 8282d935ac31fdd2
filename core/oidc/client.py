"""Signing in with an outside OpenID provider (authorization code flow with
PKCE), on authlib's PKCE and ID-token claim checks and joserfc's JWS.

``start`` keeps a fresh state, nonce and PKCE verifier in the visitor's
session and sends them to the provider; ``finish`` takes the provider's
answer, checks the state, exchanges the code (with the verifier and our
client secret), verifies the ID token's signature against the provider's
published keys (JWKS, refetched once for an unknown ``kid``) and its claims:
iss, aud (and azp), exp and iat with ``LEEWAY`` seconds of clock skew, and
the nonce. ``link`` then finds the account: one the identity is already
linked to; else, by an e-mail address the provider says it has verified, an
existing account (one an admin made or invited), but never an administrator's;
else, for a provider with ``create_accounts`` (the network's own), a new
account with no roles. ``accept_invitation`` links an identity to the
account an admin invited, whatever address the provider gives: the
invitation link (single-use, kept in the pending sign-in) proves it.
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, InvalidClaimError, JoseError, MissingClaimError
from joserfc.jwk import KeySet
from sqlmodel import select
from starlette.requests import Request

from core import tokens
from core.accounts import NO_PASSWORD, get_user_by_email, normalise_email
from core.i18n import gettext as _
from core.models import Role, User
from core.oidc.http import OidcError, request_json
from core.oidc.models import OidcIdentity
from core.oidc.settings import OidcProviderSection
from core.site import Site

#: Seconds of clock difference tolerated between us and the provider.
LEEWAY = 120
#: How long a sign-in may take at the provider before its state is stale.
PENDING_SECONDS = 600
#: At most this many sign-ins under way per browser (several tabs).
MAX_PENDING = 4
#: Discovery and keys are kept this long before they are read again.
CACHE_SECONDS = 3600
#: Asymmetric algorithms only: never "none", never a shared-secret HMAC.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
SESSION_KEY = "oidc_pending"


@dataclass(frozen=True)
class Discovery:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str
    algorithms: tuple[str, ...]
    basic_auth: bool


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in."""

    issuer: str
    subject: str
    email: str
    email_verified: bool
    name: str


_discovery: dict[str, tuple[float, Discovery]] = {}
_keys: dict[str, tuple[float, KeySet]] = {}


def providers(site: Site) -> list[OidcProviderSection]:
    return list(site.config.auth.oidc)


def provider_named(site: Site, name: str) -> OidcProviderSection | None:
    return next((p for p in site.config.auth.oidc if p.name == name), None)


def redirect_uri(site: Site, provider: OidcProviderSection) -> str:
    return site.absolute_url(f"/konto/oidc/{provider.name}/tillbaka")


def _garbage() -> OidcError:
    return OidcError(_("Inloggningstjänsten svarade med något som inte går att läsa."))


def _url(doc: dict[str, Any], key: str, required: bool = True, *, https_only: bool = True) -> str:
    """An endpoint from the provider's discovery document. Plain http only
    for a provider on loopback or a private network (``allow_private``, the
    demo and tests): elsewhere the client secret and codes would travel
    unencrypted."""
    value = doc.get(key)
    schemes = ("https://",) if https_only else ("http://", "https://")
    if isinstance(value, str) and value.startswith(schemes) and len(value) < 2000:
        return value
    if required or value is not None:
        raise _garbage()
    return ""


async def discover(provider: OidcProviderSection) -> Discovery:
    cached = _discovery.get(provider.issuer)
    if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    doc = await request_json(
        "GET", provider.issuer + "/.well-known/openid-configuration", allow_private=provider.allow_private
    )
    if doc.get("issuer") != provider.issuer:
        raise OidcError(
            _("Inloggningstjänsten uppgav en annan utfärdare än den som står i webbplatsens inställningar.")
        )
    algs = doc.get("id_token_signing_alg_values_supported", ["RS256"])
    methods = doc.get("token_endpoint_auth_methods_supported", ["client_secret_basic"])
    if not isinstance(algs, list) or not isinstance(methods, list):
        raise _garbage()
    found = Discovery(
        issuer=provider.issuer,
        authorization_endpoint=_url(doc, "authorization_endpoint", https_only=not provider.allow_private),
        token_endpoint=_url(doc, "token_endpoint", https_only=not provider.allow_private),
        jwks_uri=_url(doc, "jwks_uri", https_only=not provider.allow_private),
        userinfo_endpoint=_url(doc, "userinfo_endpoint", required=False, https_only=not provider.allow_private),
        algorithms=tuple(a for a in ALGORITHMS if a in algs),
        basic_auth="client_secret_basic" in methods,
    )
    if not found.algorithms:
        raise OidcError(_("Inloggningstjänsten signerar inte på ett sätt som webbplatsen litar på."))
    _discovery[provider.issuer] = (time.monotonic(), found)
    return found


async def _key_set(provider: OidcProviderSection, discovery: Discovery, fresh: bool = False) -> KeySet:
    cached = _keys.get(provider.issuer)
    if cached and not fresh and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    doc = await request_json("GET", discovery.jwks_uri, allow_private=provider.allow_private)
    keys = doc.get("keys")
    if not isinstance(keys, list):
        raise _garbage()
    usable = [k for k in keys if isinstance(k, dict) and k.get("kty") in ("RSA", "EC", "OKP") and k.get("use", "sig")]
    try:
        key_set = KeySet.import_key_set({"keys": usable})
    except (JoseError, ValueError, TypeError) as exc:
        raise _garbage() from exc
    _keys[provider.issuer] = (time.monotonic(), key_set)
    return key_set


def forget_cached(issuer: str | None = None) -> None:
    """Drop cached discovery and keys (tests; a provider that moved)."""
    if issuer is None:
        _discovery.clear()
        _keys.clear()
    else:
        _discovery.pop(issuer, None)
        _keys.pop(issuer, None)


def client_secret(provider: OidcProviderSection) -> str:
    secret = os.environ.get(provider.secret_env, "")
    if not secret:
        raise OidcError(
            _("Inloggning med %(label)s är inte färdiginställd på webbplatsen. Logga in med lösenord i stället.")
            % {"label": provider.label}
        )
    return secret


async def start(
    request: Request, site: Site, provider: OidcProviderSection, next_url: str, invitation: str = ""
) -> str:
    """Where to send the visitor: the provider's authorization endpoint, with
    a fresh state, nonce and PKCE challenge kept in their session (and the
    invitation being accepted, if any)."""
    client_secret(provider)  # say so now, not after the provider's pages
    discovery = await discover(provider)
    state, nonce, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48)
    pending = dict(request.session.get(SESSION_KEY) or {})
    while len(pending) >= MAX_PENDING:
        pending.pop(min(pending, key=lambda k: pending[k]["t"]))
    pending[state] = {"p": provider.name, "n": nonce, "v": verifier, "next": next_url, "t": int(time.time())}
    if invitation:
        pending[state]["inv"] = invitation
    request.session[SESSION_KEY] = pending
    query = urlencode(
        {
            "response_type": "code",
            "client_id": provider.client_id,
            "redirect_uri": redirect_uri(site, provider),
            "scope": " ".join(provider.scopes),
            "state": state,
            "nonce": nonce,
            "code_challenge": create_s256_code_challenge(verifier),  # type: ignore[no-untyped-call]
            "code_challenge_method": "S256",
        }
    )
    joiner = "&" if "?" in discovery.authorization_endpoint else "?"
    return discovery.authorization_endpoint + joiner + query


def _take_pending(request: Request, provider: OidcProviderSection) -> dict[str, Any]:
    state = request.query_params.get("state", "")
    pending = dict(request.session.get(SESSION_KEY) or {})
    entry = pending.pop(state, None) if state else None
    request.session[SESSION_KEY] = pending
    mismatch = _(
        "Inloggningen gick inte att slutföra: svaret hörde inte ihop med en inloggning som började här "
        "(fel state). Börja om från inloggningssidan."
    )
    if not isinstance(entry, dict) or entry.get("p") != provider.name:
        raise OidcError(mismatch)
    if time.time() - int(entry.get("t", 0)) > PENDING_SECONDS:
        raise OidcError(_("Inloggningen tog för lång tid och har gått ut. Börja om från inloggningssidan."))
    return entry


async def finish(request: Request, site: Site, provider: OidcProviderSection) -> tuple[Identity, str, str]:
    """The verified identity from the provider's answer, where to go next,
    and the invitation link it accepts ("" for a plain sign-in)."""
    if request.query_params.get("error"):
        _take_pending(request, provider)
        raise OidcError(
            _("Inloggningen hos %(label)s avbröts eller nekades. Försök igen, eller logga in med lösenord.")
            % {"label": provider.label}
        )
    entry = _take_pending(request, provider)
    code = request.query_params.get("code", "")
    if not code or len(code) > 2000:
        raise _garbage()
    secret = client_secret(provider)
    discovery = await discover(provider)
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri(site, provider),
        "code_verifier": entry["v"],
    }
    headers: dict[str, str] = {}
    if discovery.basic_auth:
        import base64
        from urllib.parse import quote

        pair = f"{quote(provider.client_id, safe='')}:{quote(secret, safe='')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    else:
        form |= {"client_id": provider.client_id, "client_secret": secret}
    token = await request_json(
        "POST", discovery.token_endpoint, allow_private=provider.allow_private, data=form, headers=headers
    )
    id_token, access_token = token.get("id_token"), token.get("access_token")
    if not isinstance(id_token, str) or (access_token is not None and not isinstance(access_token, str)):
        raise _garbage()
    claims = await _verified_claims(site, provider, discovery, id_token, entry["n"], access_token)
    if "email" not in claims and discovery.userinfo_endpoint and access_token:
        info = await request_json(
            "GET",
            discovery.userinfo_endpoint,
            allow_private=provider.allow_private,
            headers={"Authorization": f"Bearer {access_token}"},
        )
        if info.get("sub") != claims["sub"]:
            raise _garbage()
        claims = {**info, **claims}
    email = claims.get("email")
    verified = claims.get("email_verified")
    name = claims.get("name")
    return (
        Identity(
            issuer=provider.issuer,
            subject=str(claims["sub"])[:255],
            email=normalise_email(email)[:254] if isinstance(email, str) and "@" in email else "",
            email_verified=verified is True or verified == "true",
            name=name.strip()[:120] if isinstance(name, str) else "",
        ),
        str(entry.get("next") or "/"),
        str(entry.get("inv") or ""),
    )


async def _verified_claims(
    site: Site,
    provider: OidcProviderSection,
    discovery: Discovery,
    id_token: str,
    nonce: str,
    access_token: str | None,
) -> dict[str, Any]:
    invalid = _("Inloggningstjänstens svar gick inte att lita på (ogiltig ID-token). Börja om från inloggningssidan.")
    try:
        cached = provider.issuer in _keys
        key_set = await _key_set(provider, discovery)
        try:
            token = jwt.decode(id_token, key_set, algorithms=list(discovery.algorithms))
        except (ValueError, JoseError):
            if not cached:
                raise
            # Perhaps a key the provider rotated in since we read its keys: read them once more.
            key_set = await _key_set(provider, discovery, fresh=True)
            token = jwt.decode(id_token, key_set, algorithms=list(discovery.algorithms))
    except (ValueError, TypeError, JoseError) as exc:
        raise OidcError(invalid) from exc
    claims = CodeIDToken(
        token.claims,
        dict(token.header),
        options={
            "iss": {"essential": True, "value": provider.issuer},
            "aud": {"essential": True, "value": provider.client_id},
            "sub": {"essential": True},
        },
        params={"nonce": nonce, "client_id": provider.client_id, "access_token": access_token},
    )
    try:
        claims.validate(now=int(site.clock.now().timestamp()), leeway=LEEWAY)
    except ExpiredTokenError as exc:
        raise OidcError(
            _(
                "Inloggningen har gått ut (ID-token för gammal), eller så går klockan fel här eller hos "
                "inloggningstjänsten. Börja om från inloggningssidan."
            )
        ) from exc
    except (MissingClaimError, InvalidClaimError) as exc:
        if getattr(exc, "claim", "") == "nonce":
            raise OidcError(
                _("Inloggningen gick inte att slutföra: svaret hörde inte till den här inloggningen (fel nonce).")
            ) from exc
        if getattr(exc, "claim", "") == "iat":
            raise OidcError(
                _("Klockan här och hos inloggningstjänsten skiljer sig för mycket åt. Försök igen om en stund.")
            ) from exc
        raise OidcError(invalid) from exc
    except (JoseError, ValueError, TypeError) as exc:
        raise OidcError(invalid) from exc
    return dict(claims)


def ADMIN_NOT_LINKED() -> str:  # noqa: N802 (a message, translated when shown)
    return _("Ett administratörskonto kopplas inte till en inloggningstjänst automatiskt. Logga in med ditt lösenord.")


def link(site: Site, provider: OidcProviderSection, identity: Identity) -> User:
    """The account this identity signs in to (linked, found or made), or
    ``OidcError`` saying why there is none. Runs in the thread pool."""
    with site.session() as db:
        row = db.exec(
            select(OidcIdentity).where(OidcIdentity.issuer == identity.issuer, OidcIdentity.subject == identity.subject)
        ).first()
        if row is not None:
            user = db.get(User, row.user_id)
            if user is None or not user.is_active:
                raise OidcError(_("Kontot är avstängt. Kontakta webbplatsens administratör."))
            if user.is_admin:  # linked as an editor, made admin since: an admin signs in with a password
                raise OidcError(ADMIN_NOT_LINKED())
            row.last_used_at = site.clock.now()
            db.add(row)
            db.commit()
            db.refresh(user)
            return user
        if not identity.email:
            raise OidcError(
                _("%(label)s lämnade ingen e-postadress, så inget konto kan kopplas. Logga in med lösenord.")
                % {"label": provider.label}
            )
        if not identity.email_verified:
            raise OidcError(
                _(
                    "%(label)s har inte bekräftat din e-postadress, så den kan inte kopplas till ett konto här. "
                    "Bekräfta adressen hos %(label)s och försök igen, eller logga in med lösenord."
                )
                % {"label": provider.label}
            )
        user = get_user_by_email(db, identity.email)
        if user is None and provider.create_accounts:
            # No role: the receiving site's admin decides what the person may do (issue 13, point 5).
            user = User(
                email=identity.email,
                name=identity.name or identity.email.split("@")[0],
                password_hash=NO_PASSWORD,  # no password here: the person signs in through the provider
                role=Role.NONE,
            )
            db.add(user)
            db.flush()
        if user is None:
            raise OidcError(
                _(
                    "Det finns inget konto för %(email)s här. Be webbplatsens administratör om en inbjudan, "
                    "och logga sedan in igen."
                )
                % {"email": identity.email}
            )
        if not user.is_active:
            raise OidcError(_("Kontot är avstängt. Kontakta webbplatsens administratör."))
        if user.is_admin:
            # An administrator's account is never taken over by an address another
            # site vouches for: a careless or hostile provider must not make admins here.
            raise OidcError(ADMIN_NOT_LINKED())
        assert user.id is not None
        db.add(OidcIdentity(user_id=user.id, issuer=identity.issuer, subject=identity.subject))
        db.commit()
        db.refresh(user)
        return user


def accept_invitation(site: Site, provider: OidcProviderSection, identity: Identity, invitation: str) -> User:
    """Link ``identity`` to the account the invitation was sent to, and spend
    the invitation; or ``OidcError``. The address the provider gives need not
    match (nor be verified): the link from the invitation e-mail is the proof.
    Runs in the thread pool."""
    now = site.clock.now()
    dead = _("Inbjudan har redan använts, är för gammal eller är inte hel. Inget har ändrats.")
    with site.session() as db:
        row = tokens.valid(db, invitation, tokens.Purpose.INVITE, now)
        user = db.get(User, row.user_id) if row is not None else None
        if row is None or user is None or not user.is_active:
            raise OidcError(dead)
        if user.is_admin:  # an administrator signs in with a password (see ``link``)
            raise OidcError(ADMIN_NOT_LINKED())
        taken = db.exec(
            select(OidcIdentity).where(OidcIdentity.issuer == identity.issuer, OidcIdentity.subject == identity.subject)
        ).first()
        if taken is not None and taken.user_id != user.id:
            raise OidcError(
                _(
                    "Ditt konto hos %(label)s hör redan till ett annat konto här. Välj ett lösenord för inbjudan "
                    "i stället, eller logga in med %(label)s på det andra kontot."
                )
                % {"label": provider.label}
            )
        if not tokens.use(db, row, now):  # spent by another request a moment ago
            db.rollback()
            raise OidcError(dead)
        if taken is None:
            assert user.id is not None
            db.add(OidcIdentity(user_id=user.id, issuer=identity.issuer, subject=identity.subject, last_used_at=now))
        db.commit()
        db.refresh(user)
        return user
