""" "Mina inloggningar": where one's account is signed in, and ending a
session; an admin's "logga ut överallt" for a person (core.sessions)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from core import sessions
from core.auth import current_session_key, log_out
from core.forms import Form
from core.i18n import gettext as _
from core.models import LoginSession
from core.permissions import require_admin, require_user
from core.site import Site
from core.templating import flash
from core.views.accounts import MAX_ID, get_account


def _site(request: Request) -> Site:
    site: Site = request.app.state.site
    return site


def my_sessions(request: Request) -> Response:
    site = _site(request)
    user = require_user(request)
    assert user.id is not None
    key = current_session_key(request)
    current = sessions.key_hash(key) if key else ""
    with site.session() as db:
        rows = sessions.of_user(db, user.id, site.clock.now())
    return site.render(request, "accounts/sessions.html", {"rows": rows, "current": current, "form": Form()})


def end_session(request: Request) -> Response:
    """End one of one's own sessions (another person's id is a 404)."""
    site = _site(request)
    user = require_user(request)
    session_id = request.path_params["session_id"]
    key = current_session_key(request)
    with site.session() as db:
        row = db.get(LoginSession, session_id) if 0 < session_id <= MAX_ID else None
        if row is None or row.user_id != user.id:
            raise HTTPException(404, _("Den inloggningen finns inte längre."))
        this_one = key is not None and row.key_hash == sessions.key_hash(key)
        db.delete(row)
        db.commit()
    if this_one:
        log_out(request)
        flash(request, _("Du är utloggad."))
        return RedirectResponse("/", status_code=303)
    flash(request, _("Inloggningen är avslutad."))
    return RedirectResponse("/konto/inloggningar", status_code=303)


def end_other_sessions(request: Request) -> Response:
    site = _site(request)
    user = require_user(request)
    assert user.id is not None
    with site.session() as db:
        ended = sessions.end_all(db, user.id, keep=current_session_key(request))
        db.commit()
    flash(request, _("%(n)s andra inloggningar är avslutade.") % {"n": ended})
    return RedirectResponse("/konto/inloggningar", status_code=303)


def admin_log_out_everywhere(request: Request) -> Response:
    """Admins only: end every session of a person at once (a lost phone, a
    person who has left)."""
    site = _site(request)
    admin = require_admin(request)
    with site.session() as db:
        user = get_account(db, request.path_params["user_id"])
        if user is None or user.id is None:
            raise HTTPException(404, _("Det finns ingen sådan användare."))
        ended = sessions.end_all(db, user.id)
        db.commit()
    if user.id == admin.id:
        log_out(request)
        flash(request, _("Du är utloggad överallt."))
        return RedirectResponse("/konto/logga-in", status_code=303)
    flash(request, _("%(name)s är utloggad överallt (%(n)s inloggningar).") % {"name": user.name, "n": ended})
    return RedirectResponse(f"/-/admin/anvandare/{user.id}", status_code=303)
