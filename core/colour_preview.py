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


#: The picture's drawing is ``WIDTH`` × ``HEIGHT`` units shown at ``SCALE``
#: times that in pixels. On a phone it shrinks to the column's width (about
#: 290 px at 360): a narrow drawing with its smallest text at 14 units keeps
#: that text at 16 px or more there, which a wide one shrunk would not.
WIDTH, HEIGHT, SCALE = 240, 222, 1.5
#: The header's text: bold, 14 units, from x = 12 to at most 8 units from
#: the right edge.
TITLE_SIZE, TITLE_ROOM = 14, WIDTH - 20


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
        "width": f"{WIDTH * SCALE:g}",
        "height": f"{HEIGHT * SCALE:g}",
    }


def _em(text: str) -> float:
    """About how wide ``text`` is in bold sans-serif, in em: DejaVu Sans
    Bold's widths by group, rounded up (Arial and most phones' fonts are
    narrower), so that what fits by this count fits in the picture."""
    width = 0.0
    for char in text:
        if char in "ijlIJ.,:;'/ ":
            width += 0.4
        elif char in "ftr-–!()":
            width += 0.5
        elif char in "mwMW":
            width += 1.1
        else:
            width += 0.85 if char.isupper() else 0.72
    return width


def title_lines(name: str) -> list[str]:
    """The site's name on one line of the header, or two; what does not fit
    in two is cut with "…"."""
    room = TITLE_ROOM / TITLE_SIZE
    lines: list[str] = []
    words = name.split()
    while words and len(lines) < 2:
        line = words.pop(0)
        while words and _em(f"{line} {words[0]}") <= room:
            line = f"{line} {words.pop(0)}"
        if _em(line) > room or (words and len(lines) == 1):
            while " " in line and _em(line + " …") > room:  # whole words off first
                line = line.rsplit(" ", 1)[0]
            while line and _em(line + " …") > room:
                line = line[:-1]
            line = line.rstrip() + " …"
            words = []
        lines.append(line)
    return lines or [""]


def svg(name: str, colours: dict[str, str]) -> str:
    """The picture: header bar with the site's name, accent line, body text,
    a button and the two contrasts, each in the colour it has on the site,
    one below the other so that they stay readable on a phone."""
    p, a, b, t = (colours[key] for key in KEYS)
    on_primary, body = contrast_ratio(p, "#ffffff"), contrast_ratio(t, b)
    lines = title_lines(name)
    first = 34 if len(lines) == 1 else 25
    title = "".join(f'<tspan x="12" y="{first + 20 * n}">{escape(line)}</tspan>' for n, line in enumerate(lines))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH * SCALE:g}" height="{HEIGHT * SCALE:g}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" font-family="DejaVu Sans, Arial, sans-serif">'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="{b}" stroke="#767676"/>'
        f'<rect width="{WIDTH}" height="56" fill="{p}"/>'
        f'<text font-size="{TITLE_SIZE}" font-weight="bold" fill="#ffffff">{title}</text>'
        f'<rect y="56" width="{WIDTH}" height="4" fill="{a}"/>'
        f'<text x="12" y="88" font-size="15" fill="{t}">Så här ser texten ut.</text>'
        f'<text x="12" y="110" font-size="14" fill="{t}">Brödtext, länkar och listor.</text>'
        f'<rect x="12" y="124" width="110" height="38" rx="4" fill="{p}"/>'
        '<text x="67" y="148" font-size="15" fill="#ffffff" text-anchor="middle">En knapp</text>'
        f'<text x="12" y="188" font-size="14" fill="{t}">Kontrast, knapp: {ratio_text(on_primary)}:1</text>'
        f'<text x="12" y="208" font-size="14" fill="{t}">Kontrast, text: {ratio_text(body)}:1</text>'
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
