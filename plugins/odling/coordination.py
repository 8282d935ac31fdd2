"""The coordinators' start page, and the admin's list of who coordinates.

Coordinators are ordinary user accounts listed in ``odling_coordinator``;
site admins are coordinators without being listed. Only admins appoint."""

from __future__ import annotations

from sqlmodel import col, select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from core.api import User, flash, get_user_by_email, read_form, require_admin, site_of, url_for
from core.api import gettext as _
from plugins.odling import mail, web
from plugins.odling.models import Coordinator, Member, Signup, WorkSession


def dashboard(request: Request) -> Response:
    user = web.require_coordinator(request)
    site = site_of(request)
    with site.session() as db:
        member_count = len(db.exec(select(Member.id)).all())
        upcoming = db.exec(
            select(WorkSession)
            .where(col(WorkSession.starts_at) >= web.clock(site).now())
            .order_by(col(WorkSession.starts_at))
        ).all()
        signups = len(db.exec(select(Signup.id)).all())
        coordinators = db.exec(
            select(Coordinator, User).join(User, col(Coordinator.user_id) == col(User.id)).order_by(col(User.name))
        ).all()
    return site.render(
        request,
        "odling/dashboard.html",
        {
            "member_count": member_count,
            "coordinator": True,
            "upcoming": upcoming,
            "signups": signups,
            "coordinators": coordinators,
            "is_admin": user.is_admin,
            "mail_on": mail.can_send(site),
        },
    )


def coordinators(request: Request) -> Response:
    """POST: add (``email``, ``ansvar``) or remove (``ta_bort`` = coordinator id)."""
    require_admin(request)
    site = site_of(request)
    form = read_form(request)
    with site.session() as db:
        remove = web.int_param(str(form.get("ta_bort") or ""))
        if remove is not None:
            row = db.get(Coordinator, remove)
            if row is not None:
                db.delete(row)
                db.commit()
                flash(request, _("Samordnaren är borttagen."))
            return RedirectResponse(url_for(site, "odling:dashboard"), status_code=303)
        email = str(form.get("email") or "").strip()
        user = get_user_by_email(db, email) if email else None
        if user is None:
            flash(
                request,
                _("Det finns inget konto med den e-postadressen. Skapa kontot under Administration → Användare först."),
                "error",
            )
        elif db.exec(select(Coordinator).where(Coordinator.user_id == user.id)).first() is not None:
            flash(request, _("%(name)s är redan samordnare.") % {"name": user.name})
        else:
            db.add(Coordinator(user_id=user.id or 0, responsibility=str(form.get("ansvar") or "").strip()[:120]))
            db.commit()
            flash(request, _("%(name)s är nu samordnare i parken.") % {"name": user.name})
    return RedirectResponse(url_for(site, "odling:dashboard"), status_code=303)
