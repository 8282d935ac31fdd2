"""``/favicon.ico`` and ``/apple-touch-icon.png``, drawn from the site's
theme (core.favicon). Plain paths, asked for by browsers whether or not a
page links them, so they are cached for a day rather than a year."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from core.favicon import favicon_ico, touch_icon_png
from core.site import Site

ICON_CACHE = "public, max-age=86400"


def _theme(request: Request) -> tuple[str, str]:
    site: Site = request.app.state.site
    return site.config.theme.primary, site.config.theme.accent


def favicon(request: Request) -> Response:
    return Response(favicon_ico(*_theme(request)), media_type="image/x-icon", headers={"Cache-Control": ICON_CACHE})


def apple_touch_icon(request: Request) -> Response:
    return Response(touch_icon_png(*_theme(request)), media_type="image/png", headers={"Cache-Control": ICON_CACHE})
