"""CSRF protection for every form: asgi-csrf (as Datasette uses), with one fix.

asgi-csrf 0.11 reads the token out of multipart bodies with
``FormParser(FileClass=...)``, an argument python-multipart 0.0.2x removed
(asgi-csrf issue #38), so every upload form failed with a 500. Until a fixed
release exists we replace that one function with a version written against
python-multipart's low-level ``MultipartParser`` callbacks. It keeps the
library's rule: the token must come before any file part, so a large upload
is refused before it is read.

BREACH: pages are gzipped (core.compression) and carry the token beside
text a visitor can reflect into the page (a search box), so the compressed
size could leak the token a byte at a time. Each form therefore carries the
token masked afresh (``mask_token``: a random pad and the token XOR the pad,
as Django does): no two responses hold the same bytes. The form parsers
below unmask what was posted (``unmask_token``) before asgi-csrf compares it
with the cookie; an unmasked token (a script or a test that reads the
cookie) is still accepted. The urlencoded parser is ours too: asgi-csrf's
decoded the body as strict UTF-8 and answered 500 to an invalid byte.
"""

from __future__ import annotations

import binascii
import re
import secrets
from base64 import urlsafe_b64decode, urlsafe_b64encode
from collections.abc import Awaitable, Callable
from functools import partial
from typing import TYPE_CHECKING, Any

import asgi_csrf
from python_multipart import MultipartParser, QuerystringParser
from python_multipart.multipart import parse_options_header
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.error_pages import send_error

if TYPE_CHECKING:
    from core.site import Site

TOKEN_FIELD = b"csrftoken"


def cookie_suffix(slug: str) -> str:
    """Cookies are kept per host, not per port, so sites that share a host
    (the demo network on 127.0.0.1) need cookie names of their own."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", slug)


def csrf_cookie_name(slug: str) -> str:
    return f"csrftoken_{cookie_suffix(slug)}"


MAX_TOKEN_BYTES = 1024
#: A masked token starts with this; asgi-csrf's own (itsdangerous) never does.
MASKED = "~"


def mask_token(token: str) -> str:
    """The token as a form carries it: a fresh random pad, then the token
    XOR the pad, URL-safe base64. Different in every response."""
    raw = token.encode("utf-8")
    pad = secrets.token_bytes(len(raw))
    masked = bytes(a ^ b for a, b in zip(raw, pad, strict=True))
    return MASKED + urlsafe_b64encode(pad + masked).decode("ascii").rstrip("=")


def unmask_token(value: str) -> str:
    """The token a form posted: unmasked, or as it came when it was not
    masked; "" for a masked value that does not decode, or for anything
    not ASCII (asgi-csrf's ``compare_digest`` raises TypeError on it: a 500)."""
    if not value.isascii():
        return ""
    if not value.startswith(MASKED):
        return value
    body = value[len(MASKED) :]
    try:
        data = urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (ValueError, binascii.Error):
        return ""
    if not data or len(data) % 2:
        return ""
    half = len(data) // 2
    token = bytes(a ^ b for a, b in zip(data[:half], data[half:], strict=True)).decode("latin-1")
    return token if token.isascii() else ""


class _TokenTooLong(Exception):
    pass


class _EveryPath:
    """asgi-csrf skips requests that carry no cookie unless their path is in
    ``always_protect``; we protect every path, so no form is exempt."""

    def __contains__(self, path: object) -> bool:
        return True


async def _parse_multipart_form_data(
    boundary: bytes | str, receive: Receive
) -> tuple[str | None, Callable[[], Awaitable[Any]]]:
    """Return the CSRF token of a multipart body and a ``receive`` that
    replays what was read; raise ``FileBeforeToken`` when a file part comes
    first, as asgi-csrf's own parser does."""
    messages: list[Message] = []
    part: dict[str, Any] = {}
    found: list[str] = []

    def on_part_begin() -> None:
        part.clear()
        part.update(field=b"", value=b"", headers=[], is_file=False)

    def on_header_field(data: bytes, start: int, end: int) -> None:
        part["headers"].append([data[start:end], b""])

    def on_header_value(data: bytes, start: int, end: int) -> None:
        part["headers"][-1][1] += data[start:end]

    def on_headers_finished() -> None:
        for name, value in part["headers"]:
            if name.lower() == b"content-disposition":
                _, options = parse_options_header(value)
                part["field"] = options.get(b"name", b"")
                part["is_file"] = b"filename" in options

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if part["is_file"]:
            raise asgi_csrf.FileBeforeToken
        if part["field"] == TOKEN_FIELD:
            part["value"] += data[start:end]
            if len(part["value"]) > MAX_TOKEN_BYTES:
                raise _TokenTooLong

    def on_part_end() -> None:
        if part.get("field") == TOKEN_FIELD:
            found.append(unmask_token(part["value"].decode("utf-8", "replace")))
            raise asgi_csrf.TokenFound(found[-1])

    async def replay_receive() -> Any:
        if messages:
            return messages.pop(0)
        return await receive()

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        },
    )
    more_body = True
    try:
        while more_body:
            message = await receive()
            messages.append(message)
            parser.write(message.get("body", b""))
            more_body = message.get("more_body", False)
    except asgi_csrf.TokenFound as token:
        return token.args[0], replay_receive
    except _TokenTooLong:
        return None, replay_receive
    return None, replay_receive


async def _parse_form_urlencoded(receive: Receive) -> tuple[dict[str, str], Callable[[], Awaitable[Any]]]:
    """The posted form's token (unmasked) under ``csrftoken`` and a
    ``receive`` that replays the body. Invalid UTF-8 or percent-escapes are
    read leniently: the token then simply does not match (403, not 500)."""
    messages: list[Message] = []
    token = bytearray()
    current: dict[str, bytes] = {"name": b""}

    def on_field_start() -> None:
        current["name"] = b""

    def on_field_name(data: bytes, start: int, end: int) -> None:
        current["name"] += data[start:end]

    def on_field_data(data: bytes, start: int, end: int) -> None:
        if current["name"] == TOKEN_FIELD and len(token) <= MAX_TOKEN_BYTES:
            token.extend(data[start:end])

    parser = QuerystringParser(
        {"on_field_start": on_field_start, "on_field_name": on_field_name, "on_field_data": on_field_data}
    )
    more_body = True
    while more_body:
        message = await receive()
        messages.append(message)
        parser.write(message.get("body", b""))
        more_body = message.get("more_body", False)
    parser.finalize()

    async def replay_receive() -> Any:
        if messages:
            return messages.pop(0)
        return await receive()

    from urllib.parse import unquote_plus

    value = unquote_plus(token.decode("latin-1"), encoding="utf-8", errors="replace")
    return {"csrftoken": unmask_token(value)}, replay_receive


asgi_csrf._parse_multipart_form_data = _parse_multipart_form_data
asgi_csrf._parse_form_urlencoded = _parse_form_urlencoded


async def _csrf_failed(scope: Scope, send: Send, message_id: Any, *, site: Site) -> None:
    """A refused form: the site's error page for 403, saying why in the
    visitor's language, with a link back to the form (core.error_pages)."""
    await send_error(site, dict(scope), None, send, 403)


#: A POST to a path ending in this needs no CSRF token: RFC 8058 one-click
#: unsubscribe, which mail clients post (``List-Unsubscribe-Post``) without
#: cookies. Only for an action that a secret token in the path authorises.
ONE_CLICK_SUFFIX = "/avsluta-ett-klick"


def _one_click(scope: Scope) -> bool:
    return bool(scope.get("method") == "POST" and str(scope.get("path", "")).endswith(ONE_CLICK_SUFFIX))


class CSRFMiddleware:
    """Checks the signed ``csrftoken`` of every non-GET request."""

    def __init__(self, app: ASGIApp, site: Site, secret: str, secure: bool, cookie_name: str = "csrftoken") -> None:
        self.app = asgi_csrf.asgi_csrf(
            app,
            cookie_name=cookie_name,
            signing_secret=secret,
            always_protect=_EveryPath(),
            cookie_secure=secure,
            cookie_samesite="Lax",
            send_csrf_failed=partial(_csrf_failed, site=site),
            skip_if_scope=_one_click,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
