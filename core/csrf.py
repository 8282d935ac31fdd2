"""CSRF protection for every form: asgi-csrf (as Datasette uses), with one fix.

asgi-csrf 0.11 reads the token out of multipart bodies with
``FormParser(FileClass=...)``, an argument python-multipart 0.0.2x removed
(asgi-csrf issue #38), so every upload form failed with a 500. Until a fixed
release exists we replace that one function with a version written against
python-multipart's low-level ``MultipartParser`` callbacks. It keeps the
library's rule: the token must come before any file part, so a large upload
is refused before it is read.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from functools import partial
from typing import TYPE_CHECKING, Any

import asgi_csrf
from python_multipart import MultipartParser
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
            found.append(part["value"].decode("utf-8", "replace"))
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


asgi_csrf._parse_multipart_form_data = _parse_multipart_form_data


async def _csrf_failed(scope: Scope, send: Send, message_id: Any, *, site: Site) -> None:
    """A refused form: the site's error page for 403, saying why in the
    visitor's language, with a link back to the form (core.error_pages)."""
    await send_error(site, dict(scope), None, send, 403)


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
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
