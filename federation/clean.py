"""Making received text safe: nothing from a peer or an outside feed is
trusted, even though Paraply peers sanitize what they publish.

HTML goes through nh3 with core's allowlist (``core.markdown.sanitize_html``:
text markup and http(s)/mailto/tel links; no script, style, SVG, forms or
event attributes). Titles, names and fields become plain text, which
Jinja2's autoescape then shows as text. Links keep only http and https.
"""

from __future__ import annotations

import html
import re

import nh3

from core.api import http_url, sanitize_html

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
URL_FIELDS = {"website", "url", "link"}
MAX_FIELDS = 30
MAX_HTML = 100_000


def has_control(value: str) -> bool:
    """Whether ``value`` holds control characters (NUL, escape, ...)."""
    return bool(_CONTROL.search(value))


def text(value: object, limit: int = 300) -> str:
    """Plain text: tags removed, entities decoded, whitespace collapsed."""
    if not value:
        return ""
    raw = _CONTROL.sub("", str(value))
    if "<" in raw or "&" in raw:
        raw = html.unescape(nh3.clean(raw, tags=set()))
    out = " ".join(raw.split())
    if len(out) > limit:
        out = out[: limit - 1].rstrip() + "…"
    return out


def rich(value: object) -> str:
    """Sanitized HTML, length-capped before sanitizing."""
    if not value:
        return ""
    return sanitize_html(_CONTROL.sub("", str(value))[:MAX_HTML]).strip()


def url(value: object) -> str:
    """An absolute http(s) URL, or empty: drops ``javascript:``, ``data:``,
    relative and other schemes."""
    if not value:
        return ""
    # core.api.http_url never raises: "http://[x]/" is simply not a link.
    return http_url(_CONTROL.sub("", str(value)).strip())


def fields(values: dict[str, str]) -> dict[str, str]:
    """Structured fields: known-shaped names only, plain-text values, URLs checked."""
    out: dict[str, str] = {}
    for name, value in values.items():
        if len(out) >= MAX_FIELDS or not FIELD_NAME.match(name):
            continue
        cleaned = url(value) if name in URL_FIELDS else text(value, 1000)
        if cleaned:
            out[name] = cleaned
    return out
