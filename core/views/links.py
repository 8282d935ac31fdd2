"""What an e-mailed link opens: "Glömt lösenord?", the new-password page
of a reset link, the invitation's choose-a-password page and the one-time
sign-in link (core.tokens, core.account_mail).

A link is spent only by a POST from the page it opens: a mail scanner that
follows the link (GET) uses nothing up. A link that is unknown, used or
expired gets one clear message and changes nothing. The "Glömt lösenord?"
form answers the same, at once, whether or not the address has an account:
the lookup and the mail happen after the answer has gone (a background
task), so neither the words nor the time tell.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from wtforms import EmailField, PasswordField, validators

from core import tokens
from core.account_mail import send_invitation, send_reset
from core.accounts import get_user_by_email, is_invited, password_problem, set_password
from core.auth import log_in
from core.forms import Form
from core.i18n import gettext as _
from core.models import AccountToken, User
from core.own_data import forget
from core.permissions import require_admin
from core.site import Site
from core.templating import flash
from core.tokens import Purpose
from core.views.accounts import get_account

#: At most one reset mail per account this often, whoever asks.
RESET_MAIL_EVERY = timedelta(minutes=5)


def _strip(value: str | None) -> str | None:
    return value.strip() if value else value


class ForgotForm(Form):
    email = EmailField(
        "E-postadress",
        [validators.InputRequired(), validators.Email(), validators.Length(max=254)],
        filters=[_strip],
    )


class NewPasswordForm(Form):
    new = PasswordField("Nytt lösenord", [validators.InputRequired()])
    repeat = PasswordField(
        "Upprepa nytt lösenord",
        [validators.InputRequired(), validators.EqualTo("new", message="Lösenorden är inte lika.")],
    )


def _site(request: Request) -> Site:
    site: Site = request.app.state.site
    return site


def forgot_password(request: Request) -> Response:
    site = _site(request)
    form = ForgotForm.bind(request)
    if request.method == "POST" and form.validate():
        task = BackgroundTask(mail_reset_link, site, form.email.data or "")
        return RedirectResponse("/konto/glomt-losenord?skickat=1", status_code=303, background=task)
    return site.render(
        request,
        "accounts/forgot.html",
        {"form": form, "sent": request.query_params.get("skickat") == "1"},
        status_code=400 if form.error_count() else 200,
    )


def mail_reset_link(site: Site, email: str) -> None:
    """Send a reset link if the address has an active account and none was
    sent in the last ``RESET_MAIL_EVERY``; else nothing (and nobody is told)."""
    now = site.clock.now()
    with site.session() as db:
        user = get_user_by_email(db, email)
        if user is None or not user.is_active:
            return
        recent = db.exec(
            select(AccountToken).where(
                AccountToken.user_id == user.id,
                AccountToken.purpose == Purpose.RESET,
                col(AccountToken.created_at) > now - RESET_MAIL_EVERY,
            )
        ).first()
        if recent is not None:
            return
        send_reset(site, db, user, tokens.issue(db, user, Purpose.RESET, now))
        db.commit()


def _dead_link(site: Site, request: Request, purpose: Purpose) -> Response:
    return site.render(request, "accounts/dead_link.html", {"purpose": purpose.value}, status_code=400)


def _choose_password(request: Request, purpose: Purpose) -> Response:
    """The page a reset or invitation link opens: choose a password; the
    link is spent, every other session of the account ends, and this
    browser is signed in."""
    site = _site(request)
    token = str(request.path_params["token"])
    now = site.clock.now()
    form = NewPasswordForm.bind(request)
    with site.session() as db:
        row = tokens.valid(db, token, purpose, now)
        user = db.get(User, row.user_id) if row is not None else None
        if row is None or user is None or not user.is_active:
            return _dead_link(site, request, purpose)
        if request.method == "POST" and form.validate():
            problem = password_problem(form.new.data or "")
            if problem:
                form.new.errors = [problem]
            else:
                if not tokens.use(db, row, now):  # spent by another request a moment ago
                    db.rollback()
                    return _dead_link(site, request, purpose)
                set_password(db, user, form.new.data or "")
                db.commit()
                log_in(request, user)
                message = (
                    _("Välkommen! Ditt lösenord är valt och du är inloggad.")
                    if purpose == Purpose.INVITE
                    else _("Ditt nya lösenord är sparat och du är inloggad. Andra inloggningar har loggats ut.")
                )
                flash(request, message)
                return RedirectResponse("/", status_code=303)
        return site.render(
            request,
            "accounts/choose_password.html",
            {"form": form, "purpose": purpose.value, "account": user, "token": token},
            status_code=400 if form.error_count() else 200,
        )


def reset_password(request: Request) -> Response:
    return _choose_password(request, Purpose.RESET)


def invitation(request: Request) -> Response:
    return _choose_password(request, Purpose.INVITE)


def sign_in_link(request: Request) -> Response:
    """The one-time sign-in link the login throttle e-mails: a button that
    signs this browser in (and makes it a known device)."""
    site = _site(request)
    token = str(request.path_params["token"])
    now = site.clock.now()
    form = Form.bind(request)
    with site.session() as db:
        row = tokens.valid(db, token, Purpose.SIGN_IN, now)
        user = db.get(User, row.user_id) if row is not None else None
        if row is None or user is None or not user.is_active:
            return _dead_link(site, request, Purpose.SIGN_IN)
        if request.method == "POST":
            if not tokens.use(db, row, now):  # spent by another request a moment ago
                db.rollback()
                return _dead_link(site, request, Purpose.SIGN_IN)
            db.commit()
            log_in(request, user)
            flash(request, _("Välkommen, %(name)s! Du är inloggad.") % {"name": user.name})
            return RedirectResponse("/", status_code=303)
        return site.render(request, "accounts/sign_in_link.html", {"form": form, "account": user})


def admin_send_link(request: Request) -> Response:
    """An admin sends a person their link again: the invitation while they
    have not chosen a password, else a reset link. Admins only."""
    site = _site(request)
    admin = require_admin(request)
    now = site.clock.now()
    with site.session() as db:
        user = get_account(db, request.path_params["user_id"])
        if user is None:
            raise HTTPException(404, _("Det finns ingen sådan användare."))
        if is_invited(db, user):
            send_invitation(site, db, user, tokens.issue(db, user, Purpose.INVITE, now), admin.name)
            flash(request, _("En ny inbjudan är skickad till %(email)s.") % {"email": user.email})
        else:
            send_reset(site, db, user, tokens.issue(db, user, Purpose.RESET, now))
            flash(request, _("En länk för nytt lösenord är skickad till %(email)s.") % {"email": user.email})
        db.commit()
        return RedirectResponse(f"/-/admin/anvandare/{user.id}", status_code=303)


def admin_withdraw_invitation(request: Request) -> Response:
    """An admin takes back an invitation not yet accepted: the account and
    its links go (the link in the mail opens nothing now). An account in use
    is closed or deleted on its own pages instead. Admins only."""
    site = _site(request)
    require_admin(request)
    with site.session() as db:
        user = get_account(db, request.path_params["user_id"])
        if user is None:
            raise HTTPException(404, _("Det finns ingen sådan användare."))
        if not is_invited(db, user):
            accepted = _("%(name)s har redan tagit emot inbjudan. Stäng eller ta bort kontot i stället.")
            flash(request, accepted % {"name": user.name}, "error")
            return RedirectResponse(f"/-/admin/anvandare/{user.id}", status_code=303)
        name, email = user.name, user.email
        forget(site, db, user)
        db.commit()
    flash(request, _("Inbjudan till %(name)s (%(email)s) är tillbakadragen.") % {"name": name, "email": email})
    return RedirectResponse("/-/admin/anvandare", status_code=303)
