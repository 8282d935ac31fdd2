"""The routes of OpenID Connect: signing in with a provider (``/konto/oidc/...``)
and, on the network's provider, its endpoints (``/oidc/...`` and discovery).
A route of a side the site has not configured answers 404."""

from __future__ import annotations

import logging
from typing import cast
from urllib.parse import quote, urlencode

from authlib.common.security import is_secure_transport
from authlib.oauth2 import OAuth2Error, OAuth2Request
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route, Router
from starlette.types import ASGIApp, Receive, Scope, Send

from core.auth import log_in
from core.forms import read_form
from core.i18n import N_
from core.i18n import gettext as _
from core.models import utcnow
from core.oidc import client, keys
from core.oidc.http import OidcError
from core.oidc.provider import NetworkProvider, discovery_document, oauth_request
from core.oidc.settings import OidcProviderSection
from core.permissions import current_user, require_user
from core.site import Site
from core.templating import flash

log = logging.getLogger("paraply.oidc")

TOKEN_PATH = "/oidc/token"
MAX_TOKEN_REQUEST = 16 * 1024


def _site(request: Request) -> Site:
    site: Site = request.app.state.site  # Starlette's app state is untyped
    return site


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target and len(target) < 500:
        return target
    return "/"


def _provider(request: Request) -> tuple[Site, OidcProviderSection]:
    site = _site(request)
    provider = client.provider_named(site, str(request.path_params.get("name", "")))
    if provider is None:
        raise HTTPException(404, _("Det finns ingen sådan inloggningstjänst här."))
    return site, provider


def _failed(request: Request, message: str) -> Response:
    flash(request, message, "error")
    return RedirectResponse("/konto/logga-in", status_code=303)


# -- signing in with a provider ----------------------------------------------------------


async def start(request: Request) -> Response:
    """The provider's button on the login page (a POST, with CSRF): off to the provider."""
    site, provider = _provider(request)
    form = await request.form()
    next_url = _safe_next(str(form.get("next") or "/"))
    try:
        target = await client.start(request, site, provider, next_url)
    except OidcError as exc:
        return _failed(request, str(exc))
    return RedirectResponse(target, status_code=303)


async def callback(request: Request) -> Response:
    """Where the provider sends the person back; nothing changes unless every check passes."""
    site, provider = _provider(request)
    invitation = ""
    try:
        identity, next_url, invitation = await client.finish(request, site, provider)
        if invitation:
            user = await run_in_threadpool(client.accept_invitation, site, provider, identity, invitation)
        else:
            user = await run_in_threadpool(client.link, site, provider, identity)
    except OidcError as exc:
        # For whoever reads the logs: the person's message and what lay behind it.
        log.warning("Sign-in with %s failed: %s (%r)", provider.name, exc, exc.__cause__)
        if invitation:  # back to the invitation, where a password can still be chosen
            flash(request, str(exc), "error")
            return RedirectResponse(f"/konto/inbjudan/{quote(invitation, safe='')}", status_code=303)
        return _failed(request, str(exc))
    await run_in_threadpool(_stamp_login, site, user.id)
    await run_in_threadpool(log_in, request, user)  # it writes the session row
    if invitation:
        message = _("Välkommen, %(name)s! Ditt konto är kopplat till %(label)s och du är inloggad.")
        flash(request, message % {"name": user.name, "label": provider.label})
    else:
        flash(request, _("Välkommen, %(name)s! Du är inloggad.") % {"name": user.name})
    return RedirectResponse(_safe_next(next_url), status_code=303)


async def accept_invitation(request: Request) -> Response:
    """The invitation page's "Logga in med <provider>" button (a POST, with
    CSRF): off to the provider, with the invitation kept in the pending
    sign-in. It is checked again, and spent, when the person comes back."""
    site, provider = _provider(request)
    invitation = str(request.path_params["token"])
    usable = await run_in_threadpool(_invitation_usable, site, invitation)
    if not usable:
        return RedirectResponse(f"/konto/inbjudan/{quote(invitation, safe='')}", status_code=303)
    try:
        target = await client.start(request, site, provider, "/", invitation=invitation)
    except OidcError as exc:
        flash(request, str(exc), "error")
        return RedirectResponse(f"/konto/inbjudan/{quote(invitation, safe='')}", status_code=303)
    return RedirectResponse(target, status_code=303)


def _invitation_usable(site: Site, invitation: str) -> bool:
    from core import tokens

    with site.session() as db:
        return tokens.valid(db, invitation, tokens.Purpose.INVITE, site.clock.now()) is not None


def _stamp_login(site: Site, user_id: int | None) -> None:
    from core.models import User

    with site.session() as db:
        user = db.get(User, user_id)
        if user is not None:
            user.last_login_at = utcnow()
            db.add(user)
            db.commit()


# -- the network's provider ------------------------------------------------------------------


def _provider_site(request: Request) -> Site:
    site = _site(request)
    if not site.config.auth.provider.enabled:
        raise HTTPException(404, _("Webbplatsen är inte inloggningstjänst för något nätverk."))
    if not is_secure_transport(site.base_url):  # OAuth 2 needs https, except on the machine itself
        raise HTTPException(400, _("Inloggningstjänsten kräver att webbplatsen nås över https (base_url i site.toml)."))
    return site


def openid_configuration(request: Request) -> Response:
    return JSONResponse(discovery_document(_provider_site(request)), headers={"Cache-Control": "max-age=300"})


def jwks(request: Request) -> Response:
    site = _provider_site(request)
    settings = site.config.auth.provider
    with site.session() as db:
        keys.active_key(db, settings.algorithm, site.clock.now())
        published = keys.published(db, settings.retired_key_days, site.clock.now())
    return JSONResponse({"keys": published}, headers={"Cache-Control": "max-age=300"})


def _refusal(error: OAuth2Error) -> str:
    """Why the network's provider refused, in words for the person (marked
    ``N_``, translated on the page); authlib's own English description is
    for the peer's developers and is never shown."""
    if error.error == "invalid_client":
        return N_("Webbplatsen som skickade dig hit är inte ansluten till nätverkets inloggning.")
    if "redirect" in (error.description or "").lower():
        return N_(
            "Webbplatsen som skickade dig hit ville få svaret till en adress som den inte har anmält, "
            "så inloggningen skickas inte dit."
        )
    return N_("Länken till inloggningen var ofullständig eller trasig.")


def authorize(request: Request) -> Response:
    """The authorization endpoint: asks a signed-in person "continue as …?"
    (GET), then sends them back to the peer with a code or a refusal (POST)."""
    site = _provider_site(request)
    server = NetworkProvider(site)
    params = {k: v for k, v in request.query_params.items() if len(v) <= 2000}
    uri = site.absolute_url("/oidc/authorize") + ("?" + urlencode(params) if params else "")
    user = current_user(request)
    oauth = oauth_request(request.method, uri, params, request.headers)
    try:
        grant = server.get_consent_grant(request=oauth, end_user=user)  # type: ignore[no-untyped-call]
    except OAuth2Error as error:
        if error.redirect_uri:  # a known peer and its own address: it hears why
            response = cast(Response, server.handle_error_response(oauth, error))
            return RedirectResponse(response.headers["location"], status_code=303)
        return site.render(request, "oidc/invalid.html", {"explanation": _refusal(error)}, status_code=400)
    if user is None:
        target = "/oidc/authorize?" + urlencode(params)
        return RedirectResponse("/konto/logga-in?" + urlencode({"next": target}), status_code=303)
    peer = server.query_client(params.get("client_id", ""))
    assert peer is not None  # the grant checked it
    if request.method == "POST":
        require_user(request)
        form = read_form(request)
        grant_user = user if form.get("choice") == "continue" else None
        answer = cast(Response, server.create_authorization_response(request=oauth, grant_user=grant_user, grant=grant))
        return RedirectResponse(answer.headers["location"], status_code=303)
    return site.render(
        request,
        "oidc/consent.html",
        {"peer": peer.config, "person": user, "action": "/oidc/authorize?" + urlencode(params)},
    )


async def token(request: Request) -> Response:
    """The token endpoint. Peers' servers call it without cookies, so it runs
    before the session and CSRF middleware (``MachineEndpoints``); the client
    proves itself with its secret instead."""
    site = _site(request)
    if not site.config.auth.provider.enabled or not is_secure_transport(site.base_url):
        return JSONResponse({"error": "invalid_request"}, status_code=404)
    length = request.headers.get("content-length", "")
    if not length.isdigit() or int(length) > MAX_TOKEN_REQUEST:
        return JSONResponse({"error": "invalid_request"}, status_code=400)
    body = await request.body()
    from urllib.parse import parse_qsl

    try:
        data = dict(parse_qsl(body.decode("utf-8"), max_num_fields=20))
    except (UnicodeDecodeError, ValueError):
        return JSONResponse({"error": "invalid_request"}, status_code=400)
    oauth = oauth_request("POST", site.absolute_url(TOKEN_PATH), data, request.headers)
    server = NetworkProvider(site)
    response = await run_in_threadpool(_token_response, server, oauth)
    response.headers["Cache-Control"] = "no-store"
    return response


def _token_response(server: NetworkProvider, oauth: OAuth2Request) -> Response:
    # handle_response makes a Starlette response (the stubs say a tuple)
    return cast(Response, server.create_token_response(oauth))


def machine_routes() -> list[BaseRoute]:
    return [Route(TOKEN_PATH, token, methods=["POST"], name="oidc_token")]


class MachineEndpoints:
    """ASGI middleware: POST /oidc/token goes to the token endpoint, before
    sessions and CSRF (as federation's WebSub endpoints do); all else on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.router = Router(machine_routes())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == TOKEN_PATH:
            await self.router(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def routes() -> list[BaseRoute]:
    return [
        Route("/konto/oidc/{name}/start", start, methods=["POST"], name="oidc_start"),
        Route("/konto/oidc/{name}/tillbaka", callback, name="oidc_callback"),
        Route(
            "/konto/inbjudan/{token}/oidc/{name}", accept_invitation, methods=["POST"], name="oidc_accept_invitation"
        ),
        Route("/.well-known/openid-configuration", openid_configuration, name="oidc_configuration"),
        Route("/oidc/jwks", jwks, name="oidc_jwks"),
        Route("/oidc/authorize", authorize, methods=["GET", "POST"], name="oidc_authorize"),
    ]


__all__ = ["MachineEndpoints", "routes"]
