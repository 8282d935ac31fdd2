"""Logging in and out, changing one's password, and the admin's user list.

An admin never sets a password for someone else: a new account gets an
invitation by e-mail and its owner chooses the password (core.views.links)."""

from __future__ import annotations

import anyio
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import Receive, Scope, Send
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, validators

from core import sessions, tokens
from core.account_mail import send_invitation, send_sign_in_link
from core.accounts import (
    authenticate,
    create_invited_user,
    get_user_by_email,
    invited_ids,
    is_invited,
    password_problem,
    set_password,
    verify_password,
)
from core.auth import client_host, known_device_user, log_in, log_out
from core.forms import Form, SelectChoice
from core.i18n import LOCALES, current_locale
from core.i18n import gettext as _
from core.models import Role, User
from core.permissions import require_admin, require_user
from core.proxies import throttle_key
from core.site import Site
from core.templating import flash

ROLE_CHOICES = [
    SelectChoice(Role.EDITOR.value, "Föreningsredaktör"),
    SelectChoice(Role.ADMIN.value, "Administratör"),
    SelectChoice(Role.NONE.value, "Ingen roll (bara egna sidor)"),
]


class LoginForm(Form):
    email = EmailField("E-postadress", [validators.InputRequired()])
    password = PasswordField("Lösenord", [validators.InputRequired()])


class PasswordForm(Form):
    current = PasswordField("Nuvarande lösenord", [validators.InputRequired()])
    new = PasswordField("Nytt lösenord", [validators.InputRequired()])
    repeat = PasswordField(
        "Upprepa nytt lösenord",
        [validators.InputRequired(), validators.EqualTo("new", message="Lösenorden är inte lika.")],
    )


class UserForm(Form):
    name = StringField("Namn", [validators.InputRequired(), validators.Length(max=120)])
    email = EmailField("E-postadress", [validators.InputRequired(), validators.Email(), validators.Length(max=254)])
    role = SelectField("Roll", choices=ROLE_CHOICES)
    is_active = BooleanField("Kontot är aktivt", default=True)


def _site(request: Request) -> Site:
    site: Site = request.app.state.site  # Starlette's app state is untyped
    return site


#: Ids are 32-bit integer columns: a larger number in a URL names nobody
#: (and must not reach PostgreSQL, which would refuse it with an error).
MAX_ID = 2**31 - 1


def get_account(db: Session, user_id: object) -> User | None:
    """The account with this id from a URL, or None."""
    if not isinstance(user_id, int) or not 0 < user_id <= MAX_ID:
        return None
    return db.get(User, user_id)


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def login(request: Request) -> Response:
    site = _site(request)
    form = LoginForm.bind(request)
    next_url = _safe_next(request.query_params.get("next"))
    error = None
    delay = 0.0
    if request.method == "POST" and form.validate():
        now = site.clock.now()
        with site.session() as db:
            result = authenticate(
                db,
                form.email.data or "",
                form.password.data or "",
                throttle_key(client_host(request)),
                now=now,
                known_device=known_device_user(request),
            )
            if result.proof_for is not None:
                link = tokens.issue(db, result.proof_for, tokens.Purpose.SIGN_IN, now)
                send_sign_in_link(site, db, result.proof_for, link)
            db.commit()
        delay = result.delay  # the account is under attack: each guess costs time (core.accounts)
        if result.blocked:
            error = _(
                "För många misslyckade inloggningsförsök från din anslutning. Vänta %(minutes)s minuter "
                "och försök igen, eller be om ett nytt lösenord med ”Glömt lösenord?”."
            ) % {"minutes": result.wait_minutes}
        elif result.under_attack:
            error = _(
                "Kontot har haft många misslyckade inloggningsförsök, så vi ber om ett extra bevis. Om "
                "e-postadressen och lösenordet stämmer har vi skickat en inloggningslänk till adressen: "
                "öppna den för att logga in. Fick du inget mejl? Kontrollera lösenordet, eller välj "
                "”Glömt lösenord?”."
            )
        elif result.user is None:
            error = _("Fel e-postadress eller lösenord. Kontrollera stavningen och försök igen.")
        else:
            log_in(request, result.user)
            flash(request, _("Välkommen, %(name)s! Du är inloggad.") % {"name": result.user.name})
            return Delayed(RedirectResponse(next_url, status_code=303), delay)
    status = 400 if error or form.errors else 200
    page = site.render(
        request, "accounts/login.html", {"form": form, "error": error, "next": next_url}, status_code=status
    )
    return Delayed(page, delay) if delay else page


class Delayed(Response):
    """A response sent ``delay`` seconds late. The wait is on the event loop,
    not in the view's thread: a slowed-down guesser must not hold one of the
    few view threads (``core.db.VIEW_THREADS``) for seconds each."""

    def __init__(self, response: Response, delay: float) -> None:
        self.response = response
        self.delay = delay
        self.status_code = response.status_code
        self.raw_headers = response.raw_headers  # the same list: a header set on either is sent
        self.background = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.delay > 0:
            await anyio.sleep(self.delay)
        await self.response(scope, receive, send)


class LanguageForm(Form):
    lang = SelectField("Språk", choices=[SelectChoice(code, name) for code, name in LOCALES.items()])


def language(request: Request) -> Response:
    """Save the person's language on their account (and this session), so it
    follows them to every device they log in on."""
    site = _site(request)
    user = require_user(request)
    form = LanguageForm.bind(request)
    if form.validate():
        with site.session() as db:
            fresh = db.get(User, user.id)
            assert fresh is not None
            fresh.locale = form.lang.data
            db.add(fresh)
            db.commit()
        request.session["lang"] = form.lang.data
        current_locale.set(form.lang.data)  # say it in the language just chosen
        flash(request, _("Språket är sparat."))
    return RedirectResponse("/konto/losenord", status_code=303)


def logout(request: Request) -> Response:
    log_out(request)
    flash(request, _("Du är utloggad."))
    return RedirectResponse("/", status_code=303)


def change_password(request: Request) -> Response:
    site = _site(request)
    user = require_user(request)
    form = PasswordForm.bind(request)
    if request.method == "POST" and form.validate():
        problem = password_problem(form.new.data or "")
        if not verify_password(user.password_hash, form.current.data or ""):
            form.current.errors = [_("Det nuvarande lösenordet stämmer inte.")]
        elif problem:
            form.new.errors = [problem]
        else:
            with site.session() as db:
                fresh = db.get(User, user.id)
                assert fresh is not None
                set_password(db, fresh, form.new.data or "")  # ends every session, this one too
                db.commit()
            log_in(request, fresh)  # ... and this browser gets a new one
            flash(request, _("Ditt lösenord är bytt. Andra inloggningar har loggats ut."))
            return RedirectResponse("/", status_code=303)
    return site.render(
        request,
        "accounts/password.html",
        {"form": form, "language_form": LanguageForm(lang=user.locale or site.locale)},
        status_code=400 if form.error_count() else 200,
    )


def user_list(request: Request) -> Response:
    site = _site(request)
    require_admin(request)
    from sqlmodel import select

    with site.session() as db:
        users = db.exec(select(User).order_by(User.name)).all()
        invited = invited_ids(db)
    return site.render(request, "accounts/users.html", {"users": users, "invited": invited})


def user_edit(request: Request) -> Response:
    """Create (no id) or edit a user. Admins only. A new account is invited
    by e-mail; closing one ends its sessions at once."""
    site = _site(request)
    admin = require_admin(request)
    user_id = request.path_params.get("user_id")
    with site.session() as db:
        existing = get_account(db, user_id) if user_id is not None else None
        if user_id is not None and existing is None:
            from starlette.exceptions import HTTPException

            raise HTTPException(404, _("Det finns ingen sådan användare."))
        form = UserForm.bind(request, obj=existing)
        if request.method == "POST" and form.validate():
            email = (form.email.data or "").strip().lower()
            other = get_user_by_email(db, email)
            if other is not None and (existing is None or other.id != existing.id):
                form.email.errors = [_("Det finns redan ett konto med den e-postadressen.")]
            elif (
                existing is not None
                and existing.id == admin.id
                and (form.role.data != Role.ADMIN or not form.is_active.data)
            ):
                form.role.errors = [_("Du kan inte ta bort din egen administratörsroll eller stänga ditt eget konto.")]
            else:
                role = Role(form.role.data)
                if existing is None:
                    user = create_invited_user(db, email, form.name.data or "", role)
                    token = tokens.issue(db, user, tokens.Purpose.INVITE, site.clock.now())
                    send_invitation(site, db, user, token, admin.name)
                    flash(
                        request,
                        _("Kontot för %(name)s är skapat och en inbjudan är skickad till %(email)s.")
                        % {"name": user.name, "email": user.email},
                    )
                else:
                    was_active = existing.is_active
                    if email != existing.email:  # links sent to the old address open nothing now
                        assert existing.id is not None
                        tokens.revoke_all(db, existing.id, site.clock.now())
                    existing.name = (form.name.data or "").strip()
                    existing.email = email
                    existing.role = role  # a changed role rotates the person's session keys (core.auth)
                    existing.is_active = bool(form.is_active.data)
                    if was_active and not existing.is_active:
                        assert existing.id is not None
                        sessions.end_all(db, existing.id)
                        existing.session_version += 1
                    db.add(existing)
                    flash(request, _("Kontot för %(name)s är sparat.") % {"name": existing.name})
                db.commit()
                return RedirectResponse("/-/admin/anvandare", status_code=303)
        live = sessions.of_user(db, existing.id, site.clock.now()) if existing and existing.id else []
        return site.render(
            request,
            "accounts/user_form.html",
            {
                "form": form,
                "account": existing,
                "session_count": len(live),
                "invited": existing is not None and is_invited(db, existing),
            },
            status_code=400 if form.error_count() else 200,
        )
