"""The colour preview on Administration → Inställningar (issue 19): a
small picture of the header, a button and body text in the colours typed
into the form, with the two contrasts the site checks, before anything is
saved.

A picture (SVG, from ``/-/admin/installningar/forhandsvisning.svg``)
rather than styled HTML: the Content-Security-Policy allows no inline
styles, and the site runs no script, so the typed colours cannot be put on
the page itself. Without JavaScript the admin presses "Förhandsgranska" and
the page comes back with the picture in the new colours, nothing saved;
with it, core/static/colour-preview.js swaps the picture as the fields
change, and the picture itself carries both contrasts."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlencode
from xml.sax.saxutils import escape

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from core.permissions import require_admin
from core.settings import contrast_ratio

if TYPE_CHECKING:
    from core.site import Site

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
KEYS = ("primary", "accent", "background", "text")
#: WCAG AA for normal text, as at start-up (core.settings).
NEEDED = 4.5


def ratio_text(value: float) -> str:
    """A contrast as Swedish writes it: 7,2."""
    return f"{value:.1f}".replace(".", ",")


def preview(colours: dict[str, str]) -> dict[str, object]:
    """What the settings page shows beside the picture: the picture's query
    and the two contrasts the site checks, each with whether it is enough."""
    on_primary = contrast_ratio(colours["primary"], "#ffffff")
    body = contrast_ratio(colours["text"], colours["background"])
    return {
        "query": urlencode(colours),
        "primary_ratio": ratio_text(on_primary),
        "primary_ok": on_primary >= NEEDED,
        "text_ratio": ratio_text(body),
        "text_ok": body >= NEEDED,
    }


def svg(name: str, colours: dict[str, str]) -> str:
    """The picture: header bar with the site's name, accent line, body text
    and a button, each in the colour it has on the site."""
    p, a, b, t = (colours[key] for key in KEYS)
    on_primary, body = contrast_ratio(p, "#ffffff"), contrast_ratio(t, b)
    title = escape(name[:40])
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="360" height="170" viewBox="0 0 360 170" '
        'role="img" font-family="DejaVu Sans, Arial, sans-serif">'
        f'<rect width="360" height="170" fill="{b}" stroke="#767676"/>'
        f'<rect width="360" height="44" fill="{p}"/>'
        f'<text x="14" y="28" font-size="16" font-weight="bold" fill="#ffffff">{title}</text>'
        f'<rect y="44" width="360" height="5" fill="{a}"/>'
        f'<text x="14" y="80" font-size="15" fill="{t}">Så här ser texten ut på sidorna.</text>'
        f'<text x="14" y="102" font-size="13" fill="{t}">Vanlig brödtext, länkar och listor.</text>'
        f'<rect x="14" y="118" width="120" height="36" rx="4" fill="{p}"/>'
        '<text x="74" y="141" font-size="14" fill="#ffffff" text-anchor="middle">En knapp</text>'
        f'<text x="150" y="134" font-size="12" fill="{t}">Kontrast, knapp: {ratio_text(on_primary)}:1</text>'
        f'<text x="150" y="150" font-size="12" fill="{t}">Kontrast, text: {ratio_text(body)}:1</text>'
        "</svg>"
    )


def preview_svg(request: Request) -> Response:
    """``GET /-/admin/installningar/forhandsvisning.svg?primary=…&accent=…&background=…&text=…``."""
    require_admin(request)
    site: Site = request.app.state.site
    colours = {key: request.query_params.get(key, "") for key in KEYS}
    if not all(COLOUR.match(value) for value in colours.values()):
        raise HTTPException(400, "Färgerna skrivs som #rrggbb.")
    picture = svg(site.name, {key: value.lower() for key, value in colours.items()})
    return Response(picture, media_type="image/svg+xml", headers={"Cache-Control": "private, no-store"})
