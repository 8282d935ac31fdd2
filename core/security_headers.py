"""Security headers on every response of every plugin, set once here.

- ``Content-Security-Policy``: only this site's own files. No inline script
  or style anywhere (the theme's colours are in the site's stylesheet, core.stylesheet;
  a JSON-LD ``<script type="application/ld+json">`` is data, never run, so
  CSP leaves it alone), images also as ``data:`` URLs (the design system's
  SVG icons in CSS), no plugins, no ``<base>``, and no framing
  (``frame-ancestors 'none'``: admin forms cannot be clickjacked).
  ``form-action`` is ``'self'`` plus the origins the OpenID flows send a
  submitted form on to (Chromium checks the redirect after a POST against
  it): each ``[[auth.oidc]]`` issuer (POST /konto/oidc/<name>/start answers
  303 to the provider) and, on a network's provider, each client's
  ``redirect_uris`` (the "continue" form on /oidc/authorize answers 303 to
  the peer). A provider whose authorisation endpoint is on another origin
  than its issuer needs that origin added here.
- ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY`` (for
  browsers without ``frame-ancestors``), a ``Permissions-Policy`` that turns
  off camera, microphone and geolocation.
- ``Referrer-Policy: strict-origin-when-cross-origin``; ``no-referrer`` on
  pages whose address holds a secret: every route that names a ``{token}``
  (reset, invitation and sign-in links, registration cancel links, the
  park's member pages) and the OpenID callback (``?code=&state=``). A view
  may set its own ``Referrer-Policy``; it is kept.
- ``Strict-Transport-Security`` only when the request came over HTTPS, as
  the visitor sees it: ``scope["scheme"]`` after core.proxies has applied a
  trusted proxy's ``X-Forwarded-Proto``. Over plain http the header means
  nothing and would only confuse a local demo.

``SecurityHeaders`` comes right after core.proxies (which answers nothing
itself and sets the scheme) and before every other middleware, so error
pages from them (CSRF, request limits) get the headers too;
``SecretAddressReferrer`` sits innermost, where the router has filled in
``path_params``, and marks the token pages.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import parse_qs

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.weblinks import split_url

#: Path parameters that hold a secret: a page at such an address sends no Referer.
SECRET_PARAMS = frozenset({"token"})
#: Query parameters that hold a secret (the OpenID callback's code and state).
SECRET_QUERY = frozenset({"code", "state", "token"})
HSTS = "max-age=31536000; includeSubDomains"
PERMISSIONS = "camera=(), microphone=(), geolocation=()"


def origin_of(url: str) -> str | None:
    parts = split_url(url)
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(form_targets: Iterable[str] = ()) -> str:
    """The policy, with ``form_targets`` (URLs) added to ``form-action`` by origin."""
    origins = sorted({o for o in (origin_of(url) for url in form_targets) if o})
    form_action = " ".join(["'self'", *origins])
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"object-src 'none'; base-uri 'self'; form-action {form_action}; frame-ancestors 'none'"
    )


class SecurityHeaders:
    """Adds the headers above to every HTTP response that lacks them."""

    def __init__(self, app: ASGIApp, form_targets: Iterable[str] = ()) -> None:
        self.app = app
        self.csp = content_security_policy(form_targets)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        secret_query = bool(SECRET_QUERY & set(parse_qs(scope.get("query_string", b"").decode("latin-1"))))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", self.csp)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Permissions-Policy", PERMISSIONS)
                headers.setdefault(
                    "Referrer-Policy", "no-referrer" if secret_query else "strict-origin-when-cross-origin"
                )
                if scope.get("scheme") == "https":
                    headers.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class SecretAddressReferrer:
    """``Referrer-Policy: no-referrer`` for a route whose path names a secret
    (``{token}``): innermost, so the router's ``path_params`` are in the scope."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_marked(message: Message) -> None:
            if message["type"] == "http.response.start" and SECRET_PARAMS & set(scope.get("path_params") or {}):
                MutableHeaders(scope=message).setdefault("Referrer-Policy", "no-referrer")
            await send(message)

        await self.app(scope, receive, send_marked)
