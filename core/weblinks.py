"""Web addresses typed by people or sent by peers, checked without raising.

``urllib.parse.urlsplit`` raises ``ValueError`` for some strings
(``http://[x]/``, ``https://[x](javascript:alert(1))``: an unclosed or invalid
IPv6 bracket), and so do ``.hostname`` and ``.port`` on some results. Forms
and feeds called it directly and answered 500 or dropped a whole feed. Every
check of an outside address goes through ``split_url`` or ``http_url``,
which say "not an address" instead.
"""

from __future__ import annotations

from urllib.parse import SplitResult, urlsplit

#: Longer addresses are refused (nobody types one; a feed that sends one is odd).
MAX_URL_LENGTH = 1000


def split_url(value: str) -> SplitResult | None:
    """``urlsplit(value)``, or None when it cannot be read as an address
    (including a host or port that cannot be read)."""
    try:
        parts = urlsplit(value)
        parts.hostname  # noqa: B018 - raises ValueError for a bad bracketed host
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return None
    return parts


def http_url(value: object, *, dotted_host: bool = False) -> str:
    """``value`` when it is an absolute http(s) address with a host name
    (with ``dotted_host``, one with a dot in it, or ``localhost``); else "".
    Never raises: ``javascript:``, ``data:``, relative and broken addresses
    are all simply not web addresses."""
    if not isinstance(value, str):
        return ""
    candidate = value.strip()
    if not candidate or len(candidate) > MAX_URL_LENGTH or any(c.isspace() or ord(c) < 32 for c in candidate):
        return ""
    parts = split_url(candidate)
    if parts is None or parts.scheme.lower() not in ("http", "https"):
        return ""
    host = parts.hostname or ""
    if not host or (dotted_host and "." not in host and host != "localhost"):
        return ""
    return candidate
