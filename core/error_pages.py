"""Error pages answered by middleware, before any route runs: a form refused
for its CSRF token (403) and a body over the size limit (413).

They run outside the user and locale middleware, so they find the visitor
here (from the session) and render ``error.html`` with the site's header,
in the visitor's language, with a way back. Before issue 17 the CSRF page
was a bare HTML string with no header and no way back but the start page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from core.sessions import SID
from core.weblinks import split_url

if TYPE_CHECKING:
    from core.site import Site


async def _no_body() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


def back_path(request: Request) -> str | None:
    """The page the refused form was on (its path and query), when the
    browser says so and it is this site's own page; else None."""
    referer = request.headers.get("referer", "")
    parts = split_url(referer)
    host = request.headers.get("host", "")
    if not referer or parts is None or parts.scheme not in ("http", "https") or parts.netloc != host:
        return None
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def render_error(site: Site, scope: Scope, receive: Receive | None, status: int) -> Response:
    """``error.html`` for ``status`` as the logged-in visitor sees it (call
    in a thread: it reads the database for the visitor)."""
    from core.auth import session_user  # core.auth imports core.csrf, which imports this module

    scope.setdefault("state", {})
    session = scope.get("session") or {}
    scope["state"]["user"] = session_user(site, session) if session.get(SID) else None
    request = Request(scope, receive or _no_body)
    return site.render(
        request, "error.html", {"status": status, "csrf_failed": status == 403, "back": back_path(request)}, status
    )


async def send_error(site: Site, scope: Scope, receive: Receive | None, send: Send, status: int) -> Response:
    """Render ``error.html`` in the thread pool and send it."""
    response = await run_in_threadpool(render_error, site, scope, receive, status)
    await response(scope, receive or _no_body, send)
    return response
