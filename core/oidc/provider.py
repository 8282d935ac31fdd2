"""This site as the OpenID provider of its network, on authlib's server side.

authlib has no Starlette integration for the server, so this module gives it
what its Flask one does: a request adapter (``_oauth_request``) and a server
(``NetworkProvider``) whose clients are the peer sites listed under
``[[auth.provider.clients]]`` in site.toml, each with its secret in the
environment (``PARAPLY_OIDC_CLIENT_<ID>_SECRET``).

The flow is the authorization code flow with PKCE (S256, required) and a
nonce (required); codes live ten minutes and are good for one exchange; ID
tokens are signed with the site's active key (core.oidc.keys) and carry the
person's name and e-mail address, so a peer needs no user-info call. Access
tokens are issued, as the protocol asks, but grant nothing here: no API
accepts them.

E-mail addresses are sent as verified: an account on a Paraply site is made
by its administrators for a person they know, or through an e-mailed
invitation, and a peer links accounts only by addresses its provider
vouches for.
"""

from __future__ import annotations

import os
import time
from collections.abc import Collection, Mapping
from datetime import timedelta
from hmac import compare_digest
from typing import Any

from authlib.oauth2 import AuthorizationServer, OAuth2Request
from authlib.oauth2.rfc6749 import ClientMixin, InvalidRequestError, grants
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from joserfc.jwk import KeySet
from sqlmodel import col, delete, select
from starlette.responses import JSONResponse, Response

from core.models import User
from core.oidc import keys
from core.oidc.models import OidcCode
from core.oidc.settings import ProviderClientSection
from core.site import Site

#: Minutes an authorization code is good for (RFC 6749 recommends at most 10).
CODE_MINUTES = 10
#: Seconds an ID token is valid: long enough to reach the peer, no longer.
ID_TOKEN_SECONDS = 300
SCOPES = ["openid", "email", "profile"]


class PeerClient(ClientMixin):
    """A peer site, as authlib's server sees a client."""

    def __init__(self, config: ProviderClientSection) -> None:
        self.config = config
        self.client_id = config.client_id
        self.id_token_signed_response_alg: str | None = None

    def get_client_id(self) -> str:
        return self.config.client_id

    def get_default_redirect_uri(self) -> str:
        return self.config.redirect_uris[0]

    def get_allowed_scope(self, scope: Collection[str] | str) -> str:
        asked = scope.split() if isinstance(scope, str) else list(scope or [])
        return " ".join(s for s in asked if s in SCOPES)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.config.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        secret = os.environ.get(self.config.secret_env, "")
        return bool(secret) and compare_digest(secret.encode(), (client_secret or "").encode())

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint != "token" or method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


class _Code:
    """An ``OidcCode`` row as authlib's grant expects it."""

    def __init__(self, row: OidcCode) -> None:
        self.row = row
        self.code_challenge = row.code_challenge
        self.code_challenge_method = row.code_challenge_method

    def get_redirect_uri(self) -> str:
        return self.row.redirect_uri

    def get_scope(self) -> str:
        return self.row.scope

    def get_nonce(self) -> str | None:
        return self.row.nonce or None

    def get_auth_time(self) -> int:
        return self.row.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


class _RequiredS256(CodeChallenge):
    """PKCE for every client, with S256 only. authlib's ``required`` asks it
    of public clients alone; our peers are confidential, and PKCE still
    guards a code that leaks on the way back."""

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge") or data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("PKCE with code_challenge_method=S256 is required.")
        super().validate_code_challenge(grant, redirect_uri)


class _CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]
    server: NetworkProvider

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        site = self.server.site
        payload, peer = request.payload, request.client
        assert payload is not None and peer is not None and request.user is not None
        data = payload.data
        with site.session() as db:
            db.add(
                OidcCode(
                    code=code,
                    client_id=peer.get_client_id(),
                    user_id=request.user.id,
                    redirect_uri=payload.redirect_uri or "",
                    scope=peer.get_allowed_scope(payload.scope),
                    nonce=(data.get("nonce") or "")[:255],
                    code_challenge=data.get("code_challenge") or "",
                    code_challenge_method=data.get("code_challenge_method") or "S256",
                    auth_time=int(time.time()),
                    created_at=site.clock.now(),
                )
            )
            db.commit()

    def query_authorization_code(self, code: str, client: ClientMixin) -> _Code | None:
        site = self.server.site
        with site.session() as db:
            stale = site.clock.now() - timedelta(minutes=CODE_MINUTES)
            db.exec(delete(OidcCode).where(col(OidcCode.created_at) < stale))
            db.commit()
            row = db.exec(
                select(OidcCode).where(OidcCode.code == code, OidcCode.client_id == client.get_client_id())
            ).first()
            return _Code(row) if row is not None else None

    def delete_authorization_code(self, authorization_code: _Code) -> None:
        with self.server.site.session() as db:
            db.exec(delete(OidcCode).where(col(OidcCode.id) == authorization_code.row.id))
            db.commit()

    def authenticate_user(self, authorization_code: _Code) -> User | None:
        with self.server.site.session() as db:
            user = db.get(User, authorization_code.row.user_id)
            return user if user is not None and user.is_active else None


class _OpenIDCode(OpenIDCode):
    def __init__(self, server: NetworkProvider) -> None:
        super().__init__(require_nonce=True)
        self.server = server

    def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
        assert request.payload is not None
        with self.server.site.session() as db:
            found = db.exec(
                select(OidcCode.id).where(OidcCode.client_id == request.payload.client_id, OidcCode.nonce == nonce)
            ).first()
        return found is not None

    def _key(self) -> tuple[str, keys.Key]:
        site = self.server.site
        settings = site.config.auth.provider
        with site.session() as db:
            row = keys.active_key(db, settings.algorithm, site.clock.now())
            return row.kid, keys.load_key(row)

    def resolve_client_private_key(self, client: ClientMixin) -> KeySet:
        return KeySet([self._key()[1]])

    def get_client_algorithm(self, client: ClientMixin) -> str:
        return self.server.site.config.auth.provider.algorithm

    def get_encode_header(self, client: ClientMixin) -> dict[str, str]:
        return {"alg": self.get_client_algorithm(client), "kid": self._key()[0]}

    def get_client_claims(self, client: ClientMixin) -> dict[str, Any]:
        now = int(time.time())
        return {"iss": self.server.issuer, "aud": [client.get_client_id()], "iat": now, "exp": now + ID_TOKEN_SECONDS}

    def generate_user_info(self, user: User, scope: str) -> UserInfo:
        info = UserInfo(sub=network_subject(user))
        if "profile" in scope.split():
            info["name"] = user.name
        if "email" in scope.split():
            info["email"] = user.email
            info["email_verified"] = True
        return info


def network_subject(user: User) -> str:
    """The ``sub`` peers know this person by: the account's id and when it
    was made. The id alone is reused once an account is deleted (SQLite gives
    the next account the freed id), and a peer would sign the newcomer in to
    the deleted person's account there."""
    return f"{user.id}.{user.created_at.strftime('%Y%m%d%H%M%S%f')}"


class NetworkProvider(AuthorizationServer):
    """authlib's authorization server for one site."""

    def __init__(self, site: Site) -> None:
        super().__init__(scopes_supported=SCOPES)
        self.site = site
        self.issuer = site.base_url
        self.register_token_generator("default", BearerTokenGenerator(_token, None, lambda client, grant: 300))
        self.register_grant(_CodeGrant, [_RequiredS256(required=True), _OpenIDCode(self)])

    def query_client(self, client_id: str) -> PeerClient | None:  # type: ignore[override]  # None: unknown
        found = next((c for c in self.site.config.auth.provider.clients if c.client_id == client_id), None)
        return PeerClient(found) if found is not None else None

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        """Access tokens open nothing here, so none is kept."""

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        pass

    def create_oauth2_request(self, request: Any) -> OAuth2Request:
        assert isinstance(request, OAuth2Request)
        return request

    def create_json_request(self, request: Any) -> Any:
        """Never called: authlib asks for it only on endpoints that take a JSON
        body (dynamic client registration), which this provider does not offer;
        its token requests are form-encoded (RFC 6749 4.1.3)."""
        raise NotImplementedError("the network provider has no JSON endpoints")

    def handle_response(self, status: int, body: Any, headers: Mapping[str, str]) -> Response:
        if isinstance(body, dict):
            response: Response = JSONResponse(body, status_code=status)
        else:
            response = Response(body or "", status_code=status)
        for key, value in headers.items() if isinstance(headers, Mapping) else headers:
            response.headers[key] = value
        return response


def _token(*args: Any, **kwargs: Any) -> str:
    import secrets

    return secrets.token_urlsafe(32)


class _Request(OAuth2Request):
    """authlib's request over what a Starlette view has read: the query (GET)
    or the form (POST), already parsed and size-checked."""

    def __init__(self, method: str, uri: str, data: dict[str, str], headers: Mapping[str, str]) -> None:
        super().__init__(method, uri, headers=headers)
        self.payload = BasicOAuth2Payload(data)
        self._data = data

    @property
    def args(self) -> dict[str, str | None]:
        return dict(self._data) if self.method == "GET" else {}

    @property
    def form(self) -> dict[str, str]:
        return self._data if self.method == "POST" else {}


def oauth_request(method: str, uri: str, data: dict[str, str], headers: Mapping[str, str]) -> OAuth2Request:
    """authlib's request from what a Starlette view read: ``uri`` is the
    site's own address (its base URL, which is https behind a proxy)."""
    return _Request(method, uri, data, headers)


def discovery_document(site: Site) -> dict[str, Any]:
    base = site.base_url
    return {
        "issuer": base,
        "authorization_endpoint": base + "/oidc/authorize",
        "token_endpoint": base + "/oidc/token",
        "jwks_uri": base + "/oidc/jwks",
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [site.config.auth.provider.algorithm],
        "scopes_supported": SCOPES,
        "claims_supported": [
            *["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce"],
            *["name", "email", "email_verified"],
        ],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
    }
