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

A logo uploaded from Administration → Inställningar (core.web_settings) is
checked as every uploaded picture is (core.images: type read from the file
itself, size limits, re-encoded); an SVG cannot be re-encoded, so it is
accepted only when it is drawing alone by the same rules as above (else it
is refused). It is kept in the uploads folder under a new name each time,
so undoing the change brings the previous file back. With alt text it is
no longer decoration: it is shown with that text (``current_logo``).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from threading import Lock
from typing import TYPE_CHECKING

from defusedxml import ElementTree as SafeET
from markupsafe import Markup

from core.i18n import gettext as _
from core.images import UPLOADS_URL, ImageError, store_image

if TYPE_CHECKING:
    from core.site import Site

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


def _drawing_only(root: ET.Element) -> bool:
    """True when an SVG holds drawing alone: no script, handler, style,
    foreign object or outside reference."""
    if root.tag != f"{{{SVG_NS}}}svg":
        return False
    for element in root.iter():
        namespace, _sep, name = element.tag.rpartition("}")
        if namespace != "{" + SVG_NS or name.lower() not in ALLOWED_TAGS:
            return False
        for attribute, value in element.attrib.items():
            local = attribute.rpartition("}")[2].lower()
            if local.startswith("on") or local in ("style", "href") or _OUTSIDE.search(value):
                return False
    return True


def _inline(path: Path, size: int) -> Markup | None:
    try:
        root = SafeET.fromstring(path.read_bytes())
    except Exception:  # defusedxml's refusals and any parse error: link the file instead
        return None
    if not _drawing_only(root):
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


# -- the logo uploaded from the web --------------------------------------------------------

#: The largest logo file accepted from the web.
MAX_UPLOAD_KB = 1024


def store_logo(data: bytes, folder: Path) -> str:
    """Check an uploaded logo and store it in ``folder`` under a new name;
    return the name. Raises ``ImageError`` (in Swedish) and stores nothing
    when the file is refused. CPU work: call it from a plain ``def`` view."""
    if len(data) > MAX_UPLOAD_KB * 1024:
        raise ImageError(_("Bilden är för stor. Största tillåtna storlek är %(kb)s kB.") % {"kb": MAX_UPLOAD_KB})
    if not data:
        raise ImageError(_("Filen är tom. Välj en bildfil."))
    if data.lstrip()[:5].lower() in (b"<?xml", b"<svg ", b"<svg>", b"<!--", b"<!doc"):
        return _store_svg(data, folder)
    return store_image(data, folder, "logotyp")


def _store_svg(data: bytes, folder: Path) -> str:
    try:
        root = SafeET.fromstring(data)
    except Exception as exc:  # defusedxml's refusals (entities, DTDs) and any parse error
        raise ImageError(_("Filen kunde inte läsas som en SVG-bild.")) from exc
    if not _drawing_only(root):
        raise ImageError(
            _(
                "SVG-bilden innehåller annat än ritning (skript, stilar, länkar eller inbäddat innehåll). "
                "Spara den som enkel SVG eller som PNG och försök igen."
            )
        )
    import secrets

    folder.mkdir(parents=True, exist_ok=True)
    name = f"logotyp-{secrets.token_hex(8)}.svg"
    ET.register_namespace("", SVG_NS)
    (folder / name).write_bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))
    return name


@dataclass(frozen=True)
class Logo:
    """The header's logo: the file, its address and its text alternative
    (empty: decoration beside the site's name)."""

    path: Path
    url: str
    alt: str


def current_logo(site: Site) -> Logo | None:
    """The logo uploaded from the web if there is one, else site.toml's."""
    alt = site.config.site.logo_alt
    uploaded = str(getattr(site.state, "logo_upload", "") or "")
    if uploaded:
        return Logo(site.uploads_dir / uploaded, UPLOADS_URL + uploaded, alt)
    if site.config.site.logo:
        return Logo(site.folder / "static" / site.config.site.logo, site.assets.url("site", site.config.site.logo), alt)
    return None
