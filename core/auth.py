"""Sessions to users: the middleware that puts ``request.state.user`` in
place, and ``log_in``/``log_out``, the only ways in and out (a password, an
e-mailed link, OpenID Connect: each ends in ``log_in``).

Who is signed in comes from the session table (``core.sessions``), named by
the random key the signed cookie carries. A signed-in browser also gets a
"known device" cookie (``DEVICE_COOKIE``): signed, naming the account, kept a
year. It is the second proof the login throttle accepts instead of an
e-mailed link (core.accounts): the right password from a browser that has
signed in to that account before.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.exc import DBAPIError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core import sessions
from core.csrf import cookie_suffix
from core.models import User
from core.pagecache import VERSION_KEY

if TYPE_CHECKING:
    from core.site import Site

DEVICE_COOKIE = "paraply_device"  # + "_<site slug>"
DEVICE_MAX_AGE = 365 * 24 * 3600
_DEVICE_SALT = "paraply-known-device"
#: Where ``log_in`` leaves the account id for the middleware to remember the device.
_REMEMBER = "paraply_remember_device"


def device_cookie_name(site: Site) -> str:
    return f"{DEVICE_COOKIE}_{cookie_suffix(site.slug)}"


def _device_signer(site: Site) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(site.secret_key, salt=_DEVICE_SALT)


def known_device_user(request: Request) -> int | None:
    """The account this browser has signed in to before, from its signed
    device cookie, or None."""
    site: Site = request.app.state.site
    value = request.cookies.get(device_cookie_name(site))
    if not value:
        return None
    try:
        user_id = _device_signer(site).loads(value, max_age=DEVICE_MAX_AGE)
    except BadSignature:
        return None
    return user_id if isinstance(user_id, int) else None


def client_host(scope: Scope | Request) -> str:
    client = scope.client if isinstance(scope, Request) else scope.get("client")
    if client is None:
        return "unknown"
    return str(client[0])


class UserMiddleware:
    """Loads the signed-in user from the session table. The user is loaded in
    the thread pool: a slow database must not hold up every other request.
    Also sets the known-device cookie after a login."""

    def __init__(self, app: ASGIApp, site: Site) -> None:
        self.app = app
        self.site = site

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})
        scope["state"]["user"] = None
        session = scope.get("session")
        if session is not None and session.get(sessions.SID):
            user_agent = _header(scope, b"user-agent")
            user, version = await run_in_threadpool(signed_in, self.site, session, user_agent)
            scope["state"]["user"] = user
            if version is not None:  # read before the page is made: core.memo uses it
                scope[VERSION_KEY] = version

        async def send_with_device(message: Message) -> None:
            user_id = scope["state"].get(_REMEMBER)
            if message["type"] == "http.response.start" and user_id is not None:
                headers = MutableHeaders(scope=message)
                value = _device_signer(self.site).dumps(user_id)
                secure = "; secure" if self.site.base_url.startswith("https://") else ""
                headers.append(
                    "set-cookie",
                    f"{device_cookie_name(self.site)}={value}; path=/; Max-Age={DEVICE_MAX_AGE}; "
                    f"httponly; samesite=lax{secure}",
                )
            await send(message)

        await self.app(scope, receive, send_with_device)


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return ""


def session_user(site: Site, session: dict[str, Any], user_agent: str = "") -> User | None:
    """The active user a session belongs to, or None; a session whose row is
    gone, expired or belongs to a closed account is logged out (its key
    removed). A role change since the key was issued rotates the key."""
    return signed_in(site, session, user_agent)[0]


def signed_in(site: Site, session: dict[str, Any], user_agent: str = "") -> tuple[User | None, int | None]:
    """``session_user``, and the site's content version read in the same
    statement (for core.memo; None when it was not read)."""
    now = site.clock.now()
    key = str(session.get(sessions.SID))
    # Every signed-in request asks this: read outside a transaction (one round
    # trip to PostgreSQL, not three); what needs a change gets a transaction.
    with site.read_session() as db:
        try:
            found, version = sessions.find_with_version(db, key, now)
        except DBAPIError:  # a database from before the content version's migration
            found, version = sessions.find(db, key, now), None
        row, user = found or (None, None)
    if row is not None and user is not None and user.is_active and row.role == user.role:
        if not sessions.touch_due(row, now):
            return user, version
    return _signed_in_anew(site, session, key, now), version


def _signed_in_anew(site: Site, session: dict[str, Any], key: str, now: datetime) -> User | None:
    """The session read again in a transaction, and changed: ended, rotated or touched."""
    with site.session() as db:
        row, user = sessions.find(db, key, now) or (None, None)
        if row is None or user is None or not user.is_active:
            if row is not None:
                db.delete(row)
            session.pop(sessions.SID, None)
            return None
        if row.role != user.role:
            session[sessions.SID] = sessions.rotate(db, row, user, now)
        else:
            sessions.touch(db, row, now)
        db.commit()
        return user


def log_in(request: Request, user: User) -> None:
    """Sign ``user`` in on this browser: a new session row and a new key
    (nothing from before survives, against session fixation, except the
    language the visitor chose), and the known-device cookie."""
    site: Site = request.app.state.site
    lang = request.session.get("lang")
    old = request.session.get(sessions.SID)
    with site.session() as db:
        if old:
            sessions.end(db, str(old))
        key = sessions.start(db, user, site.clock.now(), request.headers.get("user-agent", ""), client_host(request))
        db.commit()
    request.session.clear()
    if user.locale or lang:
        request.session["lang"] = user.locale or lang
    request.session[sessions.SID] = key
    request.state.user = user
    setattr(request.state, _REMEMBER, user.id)


def log_out(request: Request) -> None:
    """End this browser's session, on the server too."""
    site: Site = request.app.state.site
    key = request.session.get(sessions.SID)
    if key:
        with site.session() as db:
            sessions.end(db, str(key))
            db.commit()
    lang = request.session.get("lang")
    request.session.clear()
    if lang:
        request.session["lang"] = lang
    request.state.user = None


def current_session_key(request: Request) -> str | None:
    key = request.session.get(sessions.SID)
    return str(key) if key else None
