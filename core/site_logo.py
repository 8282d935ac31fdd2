"""The site's logo in the header, drawn in the page itself when it is a
small SVG (issue 17).

Why: every page shows the logo at the top, and as a file it was one more
request that the phone made before its first paint (Lighthouse counts an
image fetched before the largest paint against it). A 40 px SVG is a few
hundred bytes, less than the request's own headers, so it goes into the HTML.
A raster logo, or an SVG over ``MAX_INLINE_BYTES``, stays an ``<img>``.

The logo sits beside the site's name in the same link, so it is decoration:
``aria-hidden="true"``, its own ``role``/``aria-label``/``<title>`` dropped.
The SVG is the site's own file, but it is still cut down to drawing alone: a
file with a script, an event handler, a ``style`` (which a strict
Content-Security-Policy would refuse inline), a foreign object or an outside
reference is shown as an ``<img>`` instead, where none of that runs.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from threading import Lock

from defusedxml import ElementTree as SafeET
from markupsafe import Markup

SVG_NS = "http://www.w3.org/2000/svg"
#: Larger drawings are better cached as a file than repeated in every page.
MAX_INLINE_BYTES = 4096
#: What a logo may be drawn with.
ALLOWED_TAGS = {
    "svg", "g", "path", "circle", "ellipse", "rect", "line", "polyline", "polygon", "text", "tspan",
    "defs", "lineargradient", "radialgradient", "stop", "title", "desc",
}  # fmt: skip
#: A reference to anything but a part of the drawing itself (``url(#shade)`` is fine).
_OUTSIDE = re.compile(r"url\(\s*['\"]?\s*[^#'\"\s]", re.IGNORECASE)
DROPPED_ATTRIBUTES = {"role", "aria-label", "aria-labelledby", "aria-describedby", "width", "height"}

_cache: dict[Path, tuple[tuple[int, int], Markup | None]] = {}
_lock = Lock()


def inline_logo(path: Path, size: int = 40) -> Markup | None:
    """The SVG at ``path`` as markup for the header, ``size`` px square, or
    None when it should be linked as an ``<img>`` instead."""
    try:
        stat = path.stat()
    except OSError:
        return None
    stamp = (stat.st_size, stat.st_mtime_ns)
    with _lock:
        known = _cache.get(path)
    if known and known[0] == stamp:
        return known[1]
    markup = _inline(path, size) if path.suffix.lower() == ".svg" and stat.st_size <= MAX_INLINE_BYTES else None
    with _lock:
        _cache[path] = (stamp, markup)
    return markup


def _inline(path: Path, size: int) -> Markup | None:
    try:
        root = SafeET.fromstring(path.read_bytes())
    except Exception:  # defusedxml's refusals and any parse error: link the file instead
        return None
    if root.tag != f"{{{SVG_NS}}}svg":
        return None
    for element in root.iter():
        namespace, _, name = element.tag.rpartition("}")
        if namespace != "{" + SVG_NS or name.lower() not in ALLOWED_TAGS:
            return None
        for attribute, value in element.attrib.items():
            local = attribute.rpartition("}")[2].lower()
            if local.startswith("on") or local in ("style", "href") or _OUTSIDE.search(value):
                return None
    for drawn in list(root):
        if drawn.tag in (f"{{{SVG_NS}}}title", f"{{{SVG_NS}}}desc"):
            root.remove(drawn)
    for attribute in DROPPED_ATTRIBUTES:
        root.attrib.pop(attribute, None)
    root.set("width", str(size))
    root.set("height", str(size))
    root.set("aria-hidden", "true")
    root.set("focusable", "false")
    ET.register_namespace("", SVG_NS)
    return Markup(ET.tostring(root, encoding="unicode"))
