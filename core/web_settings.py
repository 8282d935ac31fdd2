"""Administration → Inställningar: the site's name, description, contact
address and theme colours, edited from the web (issue 19).

site.toml stays the way a site is set up (and what tests write); what an
admin saves here is stored in the database as overrides on top of it
(core.setting_changes), one row per save with who, when, before and after,
so every change can be seen and undone. The overrides are applied to
``site.config`` at once in the process that saved them; other worker
processes pick them up within ``REFRESH_SECONDS`` (``SettingsRefresh``
checks the newest row's id, one indexed read, at most that often).

Colours are checked as at start-up (core.settings): white text on the
primary colour and the text on the background must reach WCAG AA's 4.5:1;
a failing colour is refused with the contrast it has and nothing changes.
Language, time zone, logo and plugins are still set in site.toml (they
are read when the site starts: the page says so).
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send
from wtforms import ColorField, EmailField, StringField, TextAreaField, validators

from core.forms import Form
from core.i18n import N_, gettext
from core.models import User
from core.paging import page_link, page_number, paged
from core.permissions import require_admin
from core.setting_changes import SettingChange
from core.settings import SiteFile, contrast_ratio
from core.templating import flash

if TYPE_CHECKING:
    from core.site import Site

#: Keys of ``[site]`` and of ``[theme]`` that the page edits.
SITE_KEYS = ("name", "description", "contact_email")
THEME_KEYS = ("primary", "accent", "background", "text")
#: How often a worker looks for settings saved by another.
REFRESH_SECONDS = 5.0
PER_PAGE = 20

LABELS = {
    "name": N_("Webbplatsens namn"),
    "description": N_("Beskrivning"),
    "contact_email": N_("E-postadress för kontakt"),
    "primary": N_("Huvudfärg"),
    "accent": N_("Accentfärg"),
    "background": N_("Bakgrundsfärg"),
    "text": N_("Textfärg"),
}
HEX = r"^#[0-9a-fA-F]{6}$"
HEX_MESSAGE = N_("Skriv färgen som #rrggbb, till exempel #1d4e89.")


class SettingsForm(Form):
    name = StringField(
        "Webbplatsens namn",
        [validators.InputRequired("Skriv webbplatsens namn."), validators.Length(max=120)],
        description=N_("Visas överst på varje sida och i e-post, till exempel Möckelnföreningarna."),
    )
    description = TextAreaField(
        "Beskrivning",
        [validators.Length(max=300)],
        description=N_("En eller två meningar om webbplatsen. Visas i sökmotorer och när en sida delas."),
    )
    contact_email = EmailField(
        "E-postadress för kontakt",
        [validators.Optional(), validators.Email(), validators.Length(max=254)],
        description=N_("Visas längst ner på varje sida."),
    )
    primary = ColorField(
        "Huvudfärg",
        [validators.InputRequired(), validators.Regexp(HEX, message=HEX_MESSAGE)],
        description=N_("Sidhuvud och knappar, med vit text: kontrasten måste vara minst 4,5:1."),
    )
    accent = ColorField("Accentfärg", [validators.InputRequired(), validators.Regexp(HEX, message=HEX_MESSAGE)])
    background = ColorField("Bakgrundsfärg", [validators.InputRequired(), validators.Regexp(HEX, message=HEX_MESSAGE)])
    text = ColorField(
        "Textfärg",
        [validators.InputRequired(), validators.Regexp(HEX, message=HEX_MESSAGE)],
        description=N_("Mot bakgrundsfärgen måste kontrasten vara minst 4,5:1."),
    )

    def contrast_ok(self) -> bool:
        """The start-up check of core.settings, in Swedish, on the fields."""
        ok = True
        primary = (self.primary.data or "").lower()
        ratio = contrast_ratio(primary, "#ffffff")
        if ratio < 4.5:
            self.primary.errors = [
                gettext(
                    "Vit text på %(colour)s får kontrasten %(ratio)s:1, men det behövs minst 4,5:1. "
                    "Välj en mörkare färg."
                )
                % {"colour": primary, "ratio": _ratio(ratio)}
            ]
            ok = False
        text, background = (self.text.data or "").lower(), (self.background.data or "").lower()
        ratio = contrast_ratio(text, background)
        if ratio < 4.5:
            self.text.errors = [
                gettext(
                    "Texten %(text)s på bakgrunden %(background)s får kontrasten %(ratio)s:1, men det behövs minst "
                    "4,5:1. Välj färger som skiljer sig mer."
                )
                % {"text": text, "background": background, "ratio": _ratio(ratio)}
            ]
            ok = False
        return ok


def _ratio(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


# -- overrides ------------------------------------------------------------------------------


def file_config(site: Site) -> SiteFile:
    """The site's settings as site.toml has them, before any override."""
    saved = getattr(site.state, "file_config", None)
    if saved is None:
        saved = site.config
        site.state.file_config = saved
    assert isinstance(saved, SiteFile)
    return saved


def values_of(config: SiteFile) -> dict[str, str]:
    return {key: str(getattr(config.site, key)) for key in SITE_KEYS} | {
        key: str(getattr(config.theme, key)) for key in THEME_KEYS
    }


def latest(db: Session) -> SettingChange | None:
    return db.exec(select(SettingChange).order_by(col(SettingChange.id).desc()).limit(1)).first()


def apply(site: Site, overrides: dict[str, str], change_id: int | None) -> None:
    """Put ``overrides`` on top of site.toml's settings, in this process."""
    base = file_config(site)
    site_part = {k: v for k, v in overrides.items() if k in SITE_KEYS}
    theme_part = {k: v for k, v in overrides.items() if k in THEME_KEYS}
    site.config = base.model_copy(
        update={"site": base.site.model_copy(update=site_part), "theme": base.theme.model_copy(update=theme_part)}
    )
    site.__dict__.pop("stylesheet", None)  # the theme's colours are the stylesheet's first line
    site.state.settings_change_id = change_id


def refresh(site: Site) -> None:
    """Apply the newest saved settings if another process saved them."""
    with site.session() as db:
        newest = db.exec(select(func.max(SettingChange.id))).one()
        if newest == getattr(site.state, "settings_change_id", -1):
            return
        row = db.get(SettingChange, newest) if newest is not None else None
    apply(site, json.loads(row.after) if row else {}, newest)


def save(site: Site, db: Session, user: User, overrides: dict[str, str]) -> SettingChange:
    row = latest(db)
    change = SettingChange(
        user_id=user.id, before=row.after if row else "{}", after=json.dumps(overrides, ensure_ascii=False)
    )
    db.add(change)
    db.commit()
    apply(site, overrides, change.id)
    return change


class SettingsRefresh:
    """Keeps a worker's settings in step with the database (see the module)."""

    def __init__(self, app: ASGIApp, site: Site) -> None:
        self.app = app
        self.site = site
        self.checked = float("-inf")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and time.monotonic() - self.checked > REFRESH_SECONDS:
            self.checked = time.monotonic()
            from anyio import to_thread

            try:
                await to_thread.run_sync(refresh, self.site)
            except Exception:  # a database not yet migrated: site.toml's settings, and /-/health says why
                pass
        await self.app(scope, receive, send)


def forget_user(db: Session, user: User) -> None:
    """The history keeps the change, not who made it."""
    db.exec(update(SettingChange).where(col(SettingChange.user_id) == user.id).values(user_id=None))


# -- views -----------------------------------------------------------------------------------


def _site(request: Request) -> Site:
    site: Site = request.app.state.site
    return site


def describe(change: SettingChange) -> list[dict[str, str]]:
    before, after = json.loads(change.before), json.loads(change.after)
    rows = []
    for key in (*SITE_KEYS, *THEME_KEYS):
        if before.get(key) != after.get(key):
            rows.append(
                {
                    "label": LABELS[key],
                    "before": before.get(key, ""),
                    "after": after.get(key, ""),
                }
            )
    return rows


def settings_page(request: Request) -> Response:
    site = _site(request)
    user = require_admin(request)
    refresh(site)
    current = values_of(site.config)
    form = SettingsForm.bind(request, data=current)
    if request.method == "POST" and form.validate() and form.contrast_ok():
        posted = {key: str(getattr(form, key).data or "").strip() for key in (*SITE_KEYS, *THEME_KEYS)}
        posted.update({key: posted[key].lower() for key in THEME_KEYS})
        from_file = values_of(file_config(site))
        overrides = {key: value for key, value in posted.items() if value != from_file[key]}
        with site.session() as db:
            previous = latest(db)
            if previous is None or json.loads(previous.after) != overrides:
                save(site, db, user, overrides)
                flash(request, gettext("Inställningarna är sparade och gäller nu på hela webbplatsen."))
            else:
                flash(request, gettext("Inget var ändrat."))
        return RedirectResponse("/-/admin/installningar", status_code=303)
    with site.session() as db:
        changes = list(db.exec(select(SettingChange).order_by(col(SettingChange.id).desc())).all())
        shown, page, pages = paged(changes, page_number(request), PER_PAGE)
        ids = {c.user_id for c in shown if c.user_id is not None}
        names = {u.id: u.name for u in db.exec(select(User).where(col(User.id).in_(ids))).all()} if ids else {}
    history = [
        {
            "id": change.id,
            "at": change.at,
            "who": names.get(change.user_id) if change.user_id is not None else None,
            "rows": describe(change),
            "newest": change is changes[0],
        }
        for change in shown
    ]
    status = 400 if request.method == "POST" else 200
    return site.render(
        request,
        "admin/settings.html",
        {
            "form": form,
            "history": history,
            "page": page,
            "pages": pages,
            "page_link": page_link("/-/admin/installningar", {}),
            "file_values": values_of(file_config(site)),
        },
        status_code=status,
    )


def undo(request: Request) -> Response:
    """Back to the settings as they were before a change (saved as a new change)."""
    site = _site(request)
    user = require_admin(request)
    change_id = request.path_params["change_id"]
    with site.session() as db:
        change = db.get(SettingChange, change_id)
        if change is None:
            raise HTTPException(404, gettext("Det finns ingen sådan ändring."))
        restored: dict[str, Any] = json.loads(change.before)
        save(site, db, user, {str(k): str(v) for k, v in restored.items()})
    flash(request, gettext("Inställningarna är återställda till hur de var före ändringen."))
    return RedirectResponse("/-/admin/installningar", status_code=303)
