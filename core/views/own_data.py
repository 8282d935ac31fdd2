""" "Mina uppgifter": a person's own copy of what the site holds about them,
and deleting their account (core.own_data); an admin does the same for a
person who asks by mail or phone."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from wtforms import BooleanField, PasswordField, validators

from core.accounts import NO_PASSWORD, verify_password
from core.auth import log_out
from core.forms import Form
from core.i18n import gettext as _
from core.models import User
from core.own_data import export, forget, gather, is_last_admin
from core.permissions import require_admin, require_user
from core.site import Site
from core.templating import flash
from core.views.accounts import get_account


class DeleteForm(Form):
    password = PasswordField("Ditt lösenord")
    confirm = BooleanField(
        "Jag förstår att kontot tas bort för gott",
        [validators.InputRequired("Kryssa i rutan om du vill ta bort kontot.")],
    )


class AdminDeleteForm(Form):
    confirm = BooleanField(
        "Personen har bett om att kontot tas bort",
        [validators.InputRequired("Kryssa i rutan om kontot ska tas bort.")],
    )


def _site(request: Request) -> Site:
    site: Site = request.app.state.site
    return site


def _zip_response(site: Site, user: User) -> Response:
    with site.session() as db:
        fresh = db.get(User, user.id)
        assert fresh is not None
        data = export(site, db, fresh)
    day = site.clock.today().isoformat()
    return Response(
        data,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="mina-uppgifter-{site.slug}-{day}.zip"',
            "Cache-Control": "no-store",
        },
    )


def my_data(request: Request) -> Response:
    site = _site(request)
    user = require_user(request)
    form = DeleteForm.bind(request)
    with site.session() as db:
        fresh = db.get(User, user.id)
        assert fresh is not None
        found = gather(site, db, fresh)
        last_admin = is_last_admin(db, fresh)
        if request.method == "POST" and form.validate():
            has_password = fresh.password_hash != NO_PASSWORD
            if last_admin:
                form.confirm.errors = [
                    _("Du är webbplatsens enda administratör. Gör någon annan till administratör först.")
                ]
            elif has_password and not verify_password(fresh.password_hash, form.password.data or ""):
                form.password.errors = [_("Lösenordet stämmer inte.")]
            else:
                forget(site, db, fresh)
                db.commit()
                log_out(request)
                flash(request, _("Ditt konto och dina uppgifter är borttagna."))
                return RedirectResponse("/", status_code=303)
    summary = [(owner, table, len(rows)) for owner, tables in found.items() for table, rows in tables.items()]
    return site.render(
        request,
        "accounts/my_data.html",
        {"form": form, "summary": summary, "last_admin": last_admin},
        status_code=400 if form.error_count() else 200,
    )


def my_data_zip(request: Request) -> Response:
    return _zip_response(_site(request), require_user(request))


def admin_data_zip(request: Request) -> Response:
    site = _site(request)
    require_admin(request)
    with site.session() as db:
        user = get_account(db, request.path_params["user_id"])
    if user is None:
        raise HTTPException(404, _("Det finns ingen sådan användare."))
    return _zip_response(site, user)


def admin_delete(request: Request) -> Response:
    """Admins only: delete a person's account on their request."""
    site = _site(request)
    admin = require_admin(request)
    form = AdminDeleteForm.bind(request)
    with site.session() as db:
        user = get_account(db, request.path_params["user_id"])
        if user is None:
            raise HTTPException(404, _("Det finns ingen sådan användare."))
        if request.method != "POST":
            pass
        elif user.id == admin.id:
            form.confirm.errors = [_("Ta bort ditt eget konto under Mina uppgifter.")]
        elif form.validate():
            name = user.name
            forget(site, db, user)
            db.commit()
            flash(request, _("Kontot för %(name)s och dess uppgifter är borttagna.") % {"name": name})
            return RedirectResponse("/-/admin/anvandare", status_code=303)
        return site.render(
            request,
            "accounts/admin_delete.html",
            {"form": form, "account": user},
            status_code=400 if form.error_count() else 200,
        )
