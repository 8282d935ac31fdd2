"""Sessions to users: the middleware that puts ``request.state.user`` in place,
and the helpers that log a user in and out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from core.models import User

if TYPE_CHECKING:
    from core.site import Site


class UserMiddleware:
    """Loads the logged-in user from the signed session cookie. A session whose
    ``session_version`` no longer matches (password changed, account
    deactivated) is treated as logged out. The user is loaded in the thread
    pool: a slow database must not hold up every other request."""

    def __init__(self, app: ASGIApp, site: Site) -> None:
        self.app = app
        self.site = site

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope.setdefault("state", {})
            scope["state"]["user"] = None
            session = scope.get("session") or {}
            if session.get("user_id") is not None:
                scope["state"]["user"] = await run_in_threadpool(session_user, self.site, session)
        await self.app(scope, receive, send)


def session_user(site: Site, session: dict[str, Any]) -> User | None:
    """The active user a session belongs to, or None; a session that no
    longer matches its user is logged out (its keys removed)."""
    with site.session() as db:
        user = db.get(User, session.get("user_id"))
    if user and user.is_active and user.session_version == session.get("v"):
        return user
    session.pop("user_id", None)
    session.pop("v", None)
    return None


def log_in(request: Request, user: User) -> None:
    # A fresh session on login: nothing from before survives (session fixation),
    # except the language the visitor chose.
    lang = request.session.get("lang")
    request.session.clear()
    if user.locale or lang:
        request.session["lang"] = user.locale or lang
    request.session["user_id"] = user.id
    request.session["v"] = user.session_version


def log_out(request: Request) -> None:
    lang = request.session.get("lang")
    request.session.clear()
    if lang:
        request.session["lang"] = lang
