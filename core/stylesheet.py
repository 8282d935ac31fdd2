"""The site's one stylesheet: the theme, core's design system and every
enabled plugin's own rules in a single file (issue 17).

Why one file: a stylesheet blocks the first paint until it has arrived, and
each further one costs the phone another round trip (about 150 ms on
Lighthouse's mobile preset, where a second stylesheet held the largest paint
back by 319 ms). All of it together, without comments, is under 7 KB gzipped,
half a TCP window: one file costs what core's alone did. It also carries the theme's colours
from ``site.toml``, which used to be an inline style element: a strict
Content-Security-Policy (``style-src 'self'``) allows no inline style.

What goes in, in this order:

1. ``:root{--primary:…}``, the site's theme (hex colours, validated by
   core.settings, so nothing but a colour reaches the CSS);
2. ``core/static/paraply.css``;
3. for each enabled plugin, in ``site.toml``'s order, every ``*.css`` at the
   top of its ``static/`` folder, by file name;
4. every ``*.css`` at the top of the site's own ``static/`` folder (a site's
   adjustments come last and win).

A stylesheet only a few pages need (a poster, a print sheet) goes in a
subfolder of ``static/`` and those pages link it with ``static()`` in their
``head`` block.

It is served at ``/static/-/site.<hash>.css`` with a year's cache like every
hashed static name (core.assets); a name with an old hash gets today's file
with the short cache. The file is made again when a part's size or
modification time changes, so editing CSS while the demo runs shows at once.
"""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path
from threading import Lock
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core.assets import HASH_LENGTH, LONG_CACHE, SHORT_CACHE

if TYPE_CHECKING:
    from core.site import Site

#: The parts' files are looked at (a stat each, some forty) at most this
#: often, not at every page that links the stylesheet (issue 21): an edited
#: part is served within a second.
RECHECK_AFTER = 1.0
#: Where the site's stylesheet is served; no plugin can be named "-".
PREFIX = "/static/-/"
NAME = "site"


class SiteStylesheet:
    """The site's stylesheet, made from its parts and kept until one changes."""

    def __init__(self, theme_css: str, parts: list[tuple[str, Path]]) -> None:
        self.theme_css = theme_css
        self.parts = parts
        self._lock = Lock()
        self._signature: tuple[tuple[int, int], ...] | None = None
        self._body = b""
        self._digest = ""
        self._checked = 0.0

    @classmethod
    def for_site(cls, site: Site) -> SiteStylesheet:
        theme = site.config.theme
        theme_css = (
            f":root{{--primary:{theme.primary};--accent:{theme.accent};--bg:{theme.background};--text:{theme.text}}}\n"
        )
        parts: list[tuple[str, Path]] = []
        for info in site.plugin_infos():
            folder = info.static_dir
            if folder is None:
                continue
            files = [folder / "paraply.css"] if info.name == "core" else sorted(folder.glob("*.css"))
            parts.extend((info.name, path) for path in files if path.is_file())
        site_static = site.folder / "static"
        if site_static.is_dir():
            parts.extend(("site", path) for path in sorted(site_static.glob("*.css")))
        return cls(theme_css, parts)

    def _current(self) -> tuple[bytes, str]:
        now = time.monotonic()
        if self._signature is not None and now - self._checked < RECHECK_AFTER:
            return self._body, self._digest
        signature = tuple(_stamp(path) for _, path in self.parts)
        self._checked = now
        with self._lock:
            if signature != self._signature:
                chunks = [self.theme_css]
                for source, path in self.parts:
                    text = path.read_text(encoding="utf-8") if path.is_file() else ""
                    chunks.append(f"/* {source}: {path.name} */\n{_compact(text)}\n")
                self._body = "".join(chunks).encode("utf-8")
                self._digest = hashlib.sha256(self._body).hexdigest()[:HASH_LENGTH]
                self._signature = signature
            return self._body, self._digest

    @property
    def body(self) -> bytes:
        return self._current()[0]

    def url(self) -> str:
        """The stylesheet's address, with a hash of its content in the name."""
        return f"{PREFIX}{NAME}.{self._current()[1]}.css"

    def respond(self, request: Request) -> Response:
        body, digest = self._current()
        asked = request.path_params["name"]
        if asked == f"{NAME}.{digest}.css":
            cache = LONG_CACHE
        elif asked == f"{NAME}.css" or (asked.startswith(f"{NAME}.") and asked.endswith(".css")):
            # The plain name, or a page cached from before the CSS changed:
            # today's file, but no year's promise about it.
            cache = SHORT_CACHE
        else:
            return Response("Not found", status_code=404, media_type="text/plain")
        etag = f'"{digest}"'
        headers = {"Cache-Control": cache, "ETag": etag}
        if etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        return Response(body, media_type="text/css; charset=utf-8", headers=headers)


_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_INDENT = re.compile(r"\n\s*")


def _compact(css: str) -> str:
    """The CSS without its comments and indentation: the files' prose is for
    whoever reads them in the repository, and a quarter of the bytes sent
    (9.4 KB gzipped became 6.7 KB). No rule of ours has ``/*`` in a string."""
    return _INDENT.sub("\n", _COMMENT.sub("", css)).strip()


def _stamp(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (-1, -1)
    return (stat.st_size, stat.st_mtime_ns)


def stylesheet_route(site: Site) -> Route:
    """``/static/-/site.<hash>.css``: the site's one stylesheet."""

    async def stylesheet(request: Request) -> Response:
        # A few stats, and a join of ~40 KB only after a file changed: cheap
        # enough for the event loop.
        return site.stylesheet.respond(request)

    return Route(PREFIX + "{name}", stylesheet, methods=["GET", "HEAD"], name="site-stylesheet")
