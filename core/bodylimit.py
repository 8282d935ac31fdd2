"""A cap on request bodies: nothing larger than ``MAX_FORM_BYTES`` is read.

Starlette caps each part of a multipart form (``max_part_size``) but not the
whole body, and the CSRF check reads a url-encoded body whole before any view
runs. This middleware sits outside the CSRF check: a body whose
``Content-Length`` is over the limit is refused before a byte of it is read,
and a body sent without one (chunked) is counted as it streams and refused
when it passes the limit. The visitor gets the error page for 413 ("Det du
skickade var för stort"), in their language, logged in as they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.auth import session_user
from core.sessions import SID

if TYPE_CHECKING:
    from core.site import Site


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a streamed body passes the limit; inside
    the app Starlette's exception handler shows the 413 page, outside it
    (while the CSRF check reads the body) this middleware does."""

    def __init__(self) -> None:
        super().__init__(status_code=413)


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, site: Site, max_bytes: int) -> None:
        self.app = app
        self.site = site
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await self._refuse(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise BodyTooLarge
            return message

        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await run_in_threadpool(self._page, scope, receive)
        await response(scope, receive, send)

    def _page(self, scope: Scope, receive: Receive) -> Response:
        scope.setdefault("state", {})
        session = scope.get("session") or {}
        scope["state"]["user"] = session_user(self.site, session) if session.get(SID) else None
        request = Request(scope, receive)
        # Connection: close, so the client stops sending the rest of the body.
        response = self.site.render(request, "error.html", {"status": 413}, status_code=413)
        response.headers["connection"] = "close"
        return response
