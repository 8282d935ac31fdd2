"""Who may do what. Every mutating route calls one of these before it touches
anything; ``tests/test_permissions.py`` walks every POST route with each role
to prove it."""

from __future__ import annotations

from starlette.requests import Request

from core.i18n import gettext as _
from core.models import User


class LoginRequired(Exception):
    """Raised when a visitor must log in first; answered with a redirect to
    the login page that comes back afterwards."""


class Forbidden(Exception):
    """Raised when a logged-in user lacks the right; answered with 403 and a
    Swedish explanation."""


def current_user(request: Request) -> User | None:
    return getattr(request.state, "user", None)


def require_user(request: Request) -> User:
    user = current_user(request)
    if user is None:
        raise LoginRequired()
    return user


def require_admin(request: Request) -> User:
    user = require_user(request)
    if not user.is_admin:
        raise Forbidden(_("Den här sidan är bara för webbplatsens administratörer."))
    return user
