"""The site's colours as a stylesheet, ``/-/tema.css``.

The colours come from ``[theme]`` in site.toml (validated as hex colours in
core.settings). They were an inline style element in every page, which the
Content-Security-Policy (``style-src 'self'``, core.security_headers)
forbids; a stylesheet of the site's own, named with a hash of its content,
is allowed and cached for a year like the other static files.
"""

from __future__ import annotations

import hashlib

from starlette.requests import Request
from starlette.responses import Response

from core.settings import ThemeSection

YEAR = 365 * 24 * 3600


def theme_css(theme: ThemeSection) -> str:
    return f":root{{--primary:{theme.primary};--accent:{theme.accent};--bg:{theme.background};--text:{theme.text};}}\n"


def theme_url(theme: ThemeSection) -> str:
    """The stylesheet's address, with a hash of its content (a new colour, a new address)."""
    version = hashlib.sha256(theme_css(theme).encode()).hexdigest()[:12]
    return f"/-/tema.css?v={version}"


def theme_stylesheet(request: Request) -> Response:
    theme = request.app.state.site.config.theme
    return Response(
        theme_css(theme),
        media_type="text/css",
        headers={"Cache-Control": f"public, max-age={YEAR}, immutable"},
    )
