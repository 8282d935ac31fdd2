"""Which responses are gzipped, and how hard.

Starlette's ``GZipMiddleware`` does the work (core.app): it compresses
when the client accepts gzip, adds ``Vary: Accept-Encoding``, leaves
responses alone that are small, already encoded, partial (206) or of a
type listed here, and compresses streamed bodies chunk by chunk. It sits
inside federation's machine endpoints (the WebSub hub and callbacks, whose
answers are a few bytes) and keeps each response's ``ETag``: a feed's ETag
is a hash of its uncompressed body (federation.publish), compared weakly,
so conditional GET answers 304 whichever encoding the client asked for.
"""

from __future__ import annotations

from typing import Any

from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Below about a packet, the gzip header and a second round of work cost
#: more than the bytes they save.
GZIP_MINIMUM_SIZE = 1024
#: Level 6 (zlib's default) gives nearly all of level 9's saving on HTML for
#: a third of the CPU; pages are made fresh on each request.
GZIP_LEVEL = 6

#: Compressed already: photos (Starlette's list has JPEG, PNG, WebP, GIF,
#: AVIF, audio and video), archives, PDF, the xlsx export (a zip file).
#: SVG is text and is gzipped.
NOT_COMPRESSED: tuple[str, ...] = (
    *DEFAULT_EXCLUDED_CONTENT_TYPES,
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/octet-stream",
)


class Compression:
    """Starlette's ``GZipMiddleware``, with one difference: the
    ``http.response.debug`` message (which template rendered the page, sent by
    a template response for test clients) goes past the compressor, which would
    drop it, straight to the server. Tests that check what a template drew read
    it; a real server ignores it."""

    def __init__(
        self, app: ASGIApp, *, minimum_size: int, compresslevel: int, exclude_content_types: tuple[str, ...]
    ) -> None:
        self.app = app
        self.options: dict[str, Any] = {
            "minimum_size": minimum_size,
            "compresslevel": compresslevel,
            "exclude_content_types": exclude_content_types,
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def app_beside_gzip(scope: Scope, receive: Receive, to_gzip: Send) -> None:
            async def route(message: Message) -> None:
                await (send if message["type"] == "http.response.debug" else to_gzip)(message)

            await self.app(scope, receive, route)

        await GZipMiddleware(app_beside_gzip, **self.options)(scope, receive, send)
