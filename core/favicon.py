"""The site's icon, drawn from its theme: an umbrella in the primary colour
on a disc of the accent colour (the shape of the demo sites' logos).

Browsers ask for ``/favicon.ico`` whatever the page links, and a 404 there
is an error in the console of every page (Lighthouse's "errors-in-console");
phones ask for ``/apple-touch-icon.png`` when a page is saved to the home
screen. Both are drawn once per colour pair and kept in memory.
"""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image, ImageDraw

#: Sizes inside the .ico: tabs (16, 32) and Windows' shortcuts (48).
ICO_SIZES = [(16, 16), (32, 32), (48, 48)]
TOUCH_SIZE = 180


def _draw(size: int, primary: str, accent: str, *, square: bool) -> Image.Image:
    """The umbrella on a 40-unit grid (like sites/*/static/logo.svg), scaled
    to ``size`` pixels and drawn at four times that, then reduced, so its
    curves are smooth. Apple's icon is a full square: iOS rounds the corners."""
    scale = size * 4 / 40
    image = Image.new("RGBA", (size * 4, size * 4), accent if square else (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)

    def box(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        return (x0 * scale, y0 * scale, x1 * scale, y1 * scale)

    if not square:
        draw.ellipse(box(0.5, 0.5, 39.5, 39.5), fill=accent)
    draw.pieslice(box(5, 8, 35, 36), 180, 360, fill=primary)  # the canopy
    draw.rectangle(box(19, 22, 21, 32), fill=primary)  # the shaft
    draw.arc(box(14, 29, 21, 36), 0, 180, fill=primary, width=max(1, round(2 * scale)))  # the handle
    return image.resize((size, size), Image.Resampling.LANCZOS)


@lru_cache(maxsize=16)
def favicon_ico(primary: str, accent: str) -> bytes:
    out = io.BytesIO()
    _draw(48, primary, accent, square=False).save(out, format="ICO", sizes=ICO_SIZES)
    return out.getvalue()


@lru_cache(maxsize=16)
def touch_icon_png(primary: str, accent: str) -> bytes:
    out = io.BytesIO()
    _draw(TOUCH_SIZE, primary, accent, square=True).convert("RGB").save(out, format="PNG", optimize=True)
    return out.getvalue()
