"""The app factory: one Starlette app per site.

Middleware, outermost first: the visitor's address (core.proxies: from
``X-Forwarded-For`` only behind a trusted proxy), the plugins' ``asgi_wrapper`` middleware
(federation's WebSub endpoints, which peers call without cookies), sessions
(signed cookie), the request-body limit, CSRF on every non-GET request
(core.csrf), the user loader (core.auth: the session table decides who is signed in),
then the request's language (core.i18n, so Python-side strings are
translated too). Routes: core's own, then static files per plugin, then one
``Mount`` per plugin, with plugins mounted at the site root last; each of
those claims only the paths its routes match (core.mounts), so several
plugins can share the root.

The lifespan runs the plugins' ``startup`` hooks (federation starts its
poller and hub there), then core's daily jobs; on the way out the daily
jobs stop, then the ``shutdown`` hooks run (core.lifecycle).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http import HTTPStatus

from anyio import to_thread
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount

from core import lifecycle
from core.assets import HashedStaticFiles, LongLivedFiles
from core.auth import UserMiddleware
from core.bodylimit import BodyLimitMiddleware
from core.compression import GZIP_LEVEL, GZIP_MINIMUM_SIZE, NOT_COMPRESSED, Compression
from core.csrf import CSRFMiddleware, cookie_suffix, csrf_cookie_name
from core.db import VIEW_THREADS
from core.forms import MAX_FORM_BYTES
from core.i18n import LocaleMiddleware
from core.metrics import MetricsMiddleware
from core.mounts import PluginMount, RootMount
from core.oidc.views import MachineEndpoints as OidcMachineEndpoints
from core.pagecache import PageCache
from core.permissions import Forbidden, LoginRequired
from core.plugins import CORE, call_each
from core.proxies import ClientAddressMiddleware
from core.routes import core_routes
from core.security_headers import SecretAddressReferrer, SecurityHeaders
from core.site import Site
from core.stylesheet import stylesheet_route
from core.web_settings import SettingsRefresh

SESSION_COOKIE = "paraply_session"  # + "_<site slug>": see core.csrf.cookie_suffix
SESSION_MAX_AGE = 14 * 24 * 3600


def plugin_routes(site: Site) -> list[BaseRoute]:
    mounted: list[BaseRoute] = []
    at_root: list[BaseRoute] = []
    for plugin, routes in call_each(site.pm, "routes", site=site):
        if plugin == CORE or not routes:
            continue
        prefix = site.prefix(plugin)
        if prefix == "":
            at_root.append(RootMount(list(routes), name=plugin))
        else:
            mounted.append(PluginMount(prefix, routes=list(routes), name=plugin))
    return mounted + at_root


def static_routes(site: Site) -> list[BaseRoute]:
    """The site's one stylesheet (core.stylesheet), ``/static/<source>/`` for
    core, each plugin and the site (hashed names cached for a year:
    core.assets), and ``/uploads/``."""
    routes: list[BaseRoute] = [stylesheet_route(site)]
    for source, hashes in site.assets.hashes.items():
        files = HashedStaticFiles(directory=hashes.directory, hashes=hashes)
        routes.append(Mount(f"/static/{source}", files, name=f"static-{source}"))
    routes.append(Mount("/uploads", LongLivedFiles(directory=site.uploads_dir), name="uploads"))
    return routes


def form_targets(site: Site) -> list[str]:
    """Where the OpenID flows send a submitted form on to: the providers this
    site signs in with, and the peers it is the provider for (form-action)."""
    auth = site.config.auth
    return [p.issuer for p in auth.oidc] + [uri for client in auth.provider.clients for uri in client.redirect_uris]


def create_app(site: Site, *, debug: bool = False) -> Starlette:
    secure = site.base_url.startswith("https://")

    async def login_required(request: Request, exc: Exception) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/konto/logga-in?next={_quote(target)}", status_code=303)

    # Handlers that render a page are plain functions: Starlette runs them in the thread pool.
    def forbidden(request: Request, exc: Exception) -> Response:
        return site.render(request, "error.html", {"status": 403, "message": str(exc) or None}, status_code=403)

    def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code in (404, 405, 400, 413):
            # Starlette's default detail is the English reason phrase ("Not
            # Found"): the page's own text, in the visitor's language, says it better.
            message = None if exc.detail == HTTPStatus(exc.status_code).phrase else exc.detail
            return site.render(
                request, "error.html", {"status": exc.status_code, "message": message}, status_code=exc.status_code
            )
        return HTMLResponse(str(exc.detail), status_code=exc.status_code, headers=exc.headers)

    from core.daily import DailyScheduler
    from core.mail import OutboxWorker

    daily = DailyScheduler(site)
    outbox = OutboxWorker(site)
    wrappers = [Middleware(wrap) for wrap in site.pm.hook.asgi_wrapper(site=site) if wrap is not None]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # The views' threads, sized to the connection pool (core.db).
        to_thread.current_default_thread_limiter().total_tokens = VIEW_THREADS
        try:
            from core.health import log_pending_migrations

            await to_thread.run_sync(log_pending_migrations, site)
            await lifecycle.start(site)
            await daily.start()
            await outbox.start()
            yield
        finally:
            await outbox.stop()
            await daily.stop()
            await lifecycle.stop(site)
            site.dispose()

    app = Starlette(
        debug=debug,
        routes=[*core_routes(site), *static_routes(site), *plugin_routes(site)],
        middleware=[
            Middleware(ClientAddressMiddleware, trusted=list(site.config.server.trusted_proxies)),
            # Next: every response, error pages included, with the scheme as the
            # visitor used it (the proxy's, just above) for HSTS (core.security_headers).
            Middleware(SecurityHeaders, form_targets=form_targets(site)),
            # Requests and latencies for /-/metrics (core.metrics).
            Middleware(MetricsMiddleware, site=site),
            *wrappers,
            # Anonymous pages from memory while nothing they show changed;
            # ETag and 304 on HTML (core.pagecache). Outside compression, so
            # a page is kept gzipped.
            Middleware(
                PageCache,
                engine=lambda: site.engine,
                minute=lambda: site.clock.now().strftime("%Y-%m-%dT%H:%M"),
                session_cookie=f"{SESSION_COOKIE}_{cookie_suffix(site.slug)}",
            ),
            # Text (HTML, CSS, JS, JSON, feeds, .ics, SVG) is gzipped; formats
            # that are compressed already are not (core.compression).
            Middleware(
                Compression,
                minimum_size=GZIP_MINIMUM_SIZE,
                compresslevel=GZIP_LEVEL,
                exclude_content_types=NOT_COMPRESSED,
            ),
            # The OpenID token endpoint, called by peers' servers without cookies (core.oidc.views).
            Middleware(OidcMachineEndpoints),
            Middleware(
                SessionMiddleware,
                secret_key=site.secret_key,
                session_cookie=f"{SESSION_COOKIE}_{cookie_suffix(site.slug)}",
                max_age=SESSION_MAX_AGE,
                same_site="lax",
                https_only=secure,
            ),
            Middleware(BodyLimitMiddleware, site=site, max_bytes=MAX_FORM_BYTES),
            Middleware(
                CSRFMiddleware,
                site=site,
                secret=site.secret_key,
                secure=secure,
                cookie_name=csrf_cookie_name(site.slug),
            ),
            # Settings saved from the web by another worker (core.web_settings).
            Middleware(SettingsRefresh, site=site),
            Middleware(UserMiddleware, site=site),
            Middleware(LocaleMiddleware, translator=site.translator),
            # Innermost, where the route's path parameters are known: token pages send no Referer.
            Middleware(SecretAddressReferrer),
        ],
        exception_handlers={
            LoginRequired: login_required,
            Forbidden: forbidden,
            HTTPException: http_error,
        },
        lifespan=lifespan,
    )
    app.state.site = site
    return app


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/")
