"""Administration → Inställningar: the site's name, description, contact
address, theme colours, language, time zone, logo and plugins, edited from
the web (issue 19).

site.toml stays the way a site is set up (and what tests write); what an
admin saves here is stored in the database as overrides on top of it
(core.setting_changes), one row per save with who, when, before and after,
so every change can be seen and undone. The overrides are applied to
``site.config`` at once in the process that saved them; other worker
processes pick them up within ``REFRESH_SECONDS`` (``SettingsRefresh``
checks the newest row's id, one indexed read, at most that often), and a
site that starts applies them before anything else (``at_start``, called by
``Site.load``), so the command line and every server agree.

Colours are checked as at start-up (core.settings): white text on the
primary colour and the text on the background must reach WCAG AA's 4.5:1;
a failing colour is refused with the contrast it has and nothing changes.

Language and time zone take effect at once, without a restart: every page
reads them per request (the default language of ``LocaleMiddleware`` and the
templates, ``site.clock.zone`` for the date filters, and the plugins'
``site.config.site.timezone``), and ``apply`` updates the two objects that
kept a copy (the translator's default and the clock's zone). A time zone must
be an IANA name this machine's zoneinfo knows. Times already stored are UTC,
so they are shown in the new zone; an event's own ``tz`` stays what it was
written in.

The logo is uploaded here (core.site_logo: checked and re-encoded as every
uploaded picture, an SVG only when it is drawing alone) with its alt text;
each upload gets a new name in the uploads folder, so undoing the change
shows the previous logo again.

Plugins are different: which plugins run decides the site's routes,
templates, static files, stylesheet and hooks, all built once when the site
starts, in every worker. Switching them inside running workers would leave
each worker (and requests under way) half in one state and half in the
other, so a choice saved here is stored as an override and applies at the
next start ("gäller efter omstart" on the page; the admin page and
``/-/health`` say that a restart is pending until the site has restarted). So
that the start itself never migrates (several workers would race, and
core.migrate's rule is that servers never migrate by themselves), turning a
plugin on runs its migrations here, when it is saved, in this one request:
a failure is shown to the admin and nothing is stored. The choice is tried
as the next start will load it first (a plugin that needs settings in
site.toml is refused with what is missing). Turning a plugin off keeps its
tables and data. Default plugins (federation) and the plugin that draws the
front page (webportal, at ``/``) cannot be switched off from here.
"""

from __future__ import annotations

import importlib
import json
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import make_url
from sqlmodel import Session, col, select
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send
from wtforms import (
    BooleanField,
    ColorField,
    EmailField,
    FileField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
    validators,
)

from core import colour_preview
from core.colour_preview import COLOUR
from core.forms import Form, SelectChoice, read_form
from core.i18n import LOCALES, N_, gettext
from core.images import ImageError
from core.models import User
from core.paging import page_link, page_number, paged
from core.permissions import require_admin
from core.plugins import CORE, DEFAULT_PLUGINS, call_each, site_order
from core.setting_changes import SettingChange
from core.settings import ConfigError, SiteFile, contrast_ratio, time_zones
from core.site_logo import MAX_UPLOAD_KB, store_logo
from core.templating import flash

if TYPE_CHECKING:
    from core.site import Site

log = logging.getLogger("paraply")

#: Keys of ``[site]`` and of ``[theme]`` that the page edits.
SITE_KEYS = ("name", "description", "contact_email", "locale", "timezone", "logo_alt")
THEME_KEYS = ("primary", "accent", "background", "text")
#: The uploaded logo's name in the uploads folder (none: site.toml's ``logo``).
LOGO_KEY = "logo_upload"
#: The plugins the site runs from its next start, comma-separated, in order.
PLUGINS_KEY = "plugins"
#: How often a worker looks for settings saved by another.
REFRESH_SECONDS = 5.0
PER_PAGE = 20
URL = "/-/admin/installningar"

LABELS = {
    "name": N_("Webbplatsens namn"),
    "description": N_("Beskrivning"),
    "contact_email": N_("E-postadress för kontakt"),
    "locale": N_("Språk"),
    "timezone": N_("Tidszon"),
    "logo_alt": N_("Logotypens alternativtext"),
    LOGO_KEY: N_("Logotyp"),
    PLUGINS_KEY: N_("Tillägg"),
    "primary": N_("Huvudfärg"),
    "accent": N_("Accentfärg"),
    "background": N_("Bakgrundsfärg"),
    "text": N_("Textfärg"),
}
#: One line about each built-in plugin, for the list of plugins; another
#: plugin is described by the first line of its package's docstring.
PLUGIN_DESCRIPTIONS = {
    "federation": N_("Nätverket: delar nyheter, föreningar och evenemang med grannwebbplatser."),
    "webportal": N_("Startsidan, medlemsföreningarna, nyheter och sidor."),
    "lisa": N_("Hitta rätt hjälp: stödverksamheter för invånare och vårdcentraler, med hänvisningar."),
    "fritidsbanken": N_("Fritidsbanken: gratis lån av sport- och fritidsutrustning."),
    "evenemang": N_("Föreningarnas evenemang, anmälan och en gemensam kalender."),
    "lokaler": N_("Föreningarnas hus: lokaler och resurser att boka, och kontor att hyra."),
    "samverkan": N_("Samverkan med kommunen (IOP): uppdrag, röstbärare, projektstöd och uppföljning."),
    "nyhetsbrev": N_("Nyhetsbrev med prenumeration och avregistrering med ett klick."),
    "odling": N_("Odlingen: bäddar, grödor, arbetspass och pollinatörer."),
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
    locale = SelectField(
        "Språk",
        choices=[SelectChoice(code, name) for code, name in LOCALES.items()],
        description=N_("Språket sidorna visas på för den som inte själv valt ett annat."),
    )
    timezone = StringField(
        "Tidszon",
        [validators.InputRequired("Skriv en tidszon, till exempel Europe/Stockholm.")],
        description=N_("Tider visas i den här tidszonen. Skriv den som världsdel/stad, till exempel Europe/Stockholm."),
    )
    logo = FileField(
        "Ny logotyp",
        description=N_("PNG, JPEG, GIF, WebP eller enkel SVG, högst 1024 kB. Lämna tomt för att behålla logotypen."),
    )
    logo_alt = StringField(
        "Logotypens alternativtext",
        [validators.Length(max=150)],
        description=N_("Vad logotypen visar, för den som inte ser den. Lämna tomt om den bara upprepar namnet."),
    )
    remove_logo = BooleanField("Ta bort logotypen som laddats upp här (site.toml:s logotyp visas, om den finns)")
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

    def validate_timezone(self, field: StringField) -> None:
        zone = (field.data or "").strip()
        field.data = zone
        if zone and zone not in time_zones():
            raise ValidationError(
                gettext("Tidszonen %(zone)s finns inte. Skriv den som världsdel/stad, till exempel Europe/Stockholm.")
                % {"zone": zone}
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


def latest_overrides(db: Session) -> dict[str, str]:
    row = latest(db)
    return {str(k): str(v) for k, v in json.loads(row.after).items()} if row else {}


def apply(site: Site, overrides: dict[str, str], change_id: int | None) -> None:
    """Put ``overrides`` on top of site.toml's settings, in this process.
    The plugins this process runs stay those it started with."""
    base = file_config(site)
    site_part: dict[str, Any] = {k: v for k, v in overrides.items() if k in SITE_KEYS}
    # Saved values were checked by the form; a zone this machine's tzdata
    # has since dropped falls back to site.toml's rather than stop the site.
    if site_part.get("locale", "sv") not in LOCALES:
        site_part.pop("locale")
    if site_part.get("timezone", "UTC") not in time_zones():
        log.warning(
            "Site %s: unknown time zone %r saved from the web; using site.toml's", site.slug, site_part["timezone"]
        )
        site_part.pop("timezone")
    site_part["plugins"] = site.config.site.plugins
    theme_part = {k: v for k, v in overrides.items() if k in THEME_KEYS}
    site.config = site.config.model_copy(
        update={"site": base.site.model_copy(update=site_part), "theme": base.theme.model_copy(update=theme_part)}
    )
    site.__dict__.pop("stylesheet", None)  # the theme's colours are the stylesheet's first line
    if "clock" in site.__dict__:
        site.clock.zone = ZoneInfo(site.config.site.timezone)
    if "translator" in site.__dict__:
        site.translator.default = site.locale
    site.state.logo_upload = overrides.get(LOGO_KEY, "")
    site.state.plugins_wanted = overrides.get(PLUGINS_KEY)
    site.state.settings_change_id = change_id


def refresh(site: Site) -> None:
    """Apply the newest saved settings if another process saved them."""
    with site.session() as db:
        newest = db.exec(select(func.max(SettingChange.id))).one()
        if newest == getattr(site.state, "settings_change_id", -1):
            return
        row = db.get(SettingChange, newest) if newest is not None else None
    apply(site, json.loads(row.after) if row else {}, newest)


def refresh_quietly(site: Site) -> None:
    """``refresh``, except on a database that cannot tell yet (not migrated,
    not answering): site.toml's settings then, and /-/health says why."""
    try:
        refresh(site)
    except Exception:
        log.debug("Site %s: settings saved from the web not read", site.slug, exc_info=True)


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

            await to_thread.run_sync(refresh_quietly, self.site)
        await self.app(scope, receive, send)


def forget_user(db: Session, user: User) -> None:
    """The history keeps the change, not who made it."""
    db.exec(update(SettingChange).where(col(SettingChange.user_id) == user.id).values(user_id=None))


# -- at start ---------------------------------------------------------------------------------


def _stored(site: Site) -> SettingChange | None:
    """The newest saved settings, or None when the database has none yet
    (not created, not migrated, or not answering: /-/health says why)."""
    url = make_url(site.database_url)
    if url.get_backend_name() == "sqlite":
        from pathlib import Path

        if not url.database or url.database == ":memory:" or not Path(url.database).is_file():
            return None
    try:
        if not sa_inspect(site.engine).has_table(SettingChange.__tablename__):
            return None
        with site.session() as db:
            return latest(db)
    except Exception as exc:  # any driver error: start on site.toml's settings
        log.warning("Site %s: could not read the settings saved from the web: %s", site.slug, type(exc).__name__)
        return None


def wanted_plugins(site: Site, overrides: dict[str, str]) -> list[str]:
    """The plugins the site should run (its own list, without the default
    plugins it does not list): the override, else site.toml's."""
    value = overrides.get(PLUGINS_KEY)
    if value is None:
        return list(file_config(site).site.plugins)
    return [name for name in value.split(",") if name]


def with_plugins(site: Site, plugins: list[str]) -> Site:
    """A new ``Site`` like ``site`` running ``plugins`` (their settings from
    site.toml; tables of plugins not listed are left out, not refused).
    Raises ``ConfigError`` as loading such a site.toml would."""
    from core.site import Site as SiteClass

    base = file_config(site)
    config = base.model_copy(
        update={
            "site": base.site.model_copy(update={"plugins": plugins}),
            "plugin": {name: table for name, table in base.plugin.items() if name in plugins},
        }
    )
    for i, name in enumerate(plugins):
        if name not in site.installed:
            raise ConfigError(site.config_path, f"site.plugins[{i}]", f"there is no installed plugin called {name!r}.")
    other = SiteClass(site.folder, config, site.installed, database_url=site.database_url, data_dir=site.data_dir)
    other.state.file_config = base
    return other


def at_start(site: Site) -> Site:
    """The site as saved from the web: the settings applied, and when the
    plugins were changed, a site built with those plugins instead (a plugin
    that is no longer installed is left out, with a warning)."""
    row = _stored(site)
    if row is None:
        return site
    overrides = {str(k): str(v) for k, v in json.loads(row.after).items()}
    file_config(site)
    wanted = wanted_plugins(site, overrides)
    if wanted != list(site.config.site.plugins):
        missing = [name for name in wanted if name not in site.installed]
        if missing:
            log.warning("Site %s: plugins turned on from the web are not installed: %s", site.slug, ", ".join(missing))
        try:
            rebuilt = with_plugins(site, [name for name in wanted if name not in missing])
        except ConfigError as exc:
            log.warning("Site %s: the plugins chosen from the web cannot run (%s); using site.toml's", site.slug, exc)
        else:
            site.dispose()
            site = rebuilt
    apply(site, overrides, row.id)
    return site


@dataclass(frozen=True)
class PendingRestart:
    """Plugins chosen from the web that this process does not run yet."""

    enable: list[str]
    disable: list[str]


def restart_pending(site: Site) -> PendingRestart | None:
    wanted = getattr(site.state, "plugins_wanted", None)
    if wanted is None:
        wanted_list = list(file_config(site).site.plugins)
    else:
        wanted_list = [name for name in str(wanted).split(",") if name]
    target, running = site_order(wanted_list), site.enabled
    enable = [name for name in target if name not in running]
    disable = [name for name in running if name not in target]
    return PendingRestart(enable, disable) if enable or disable else None


# -- plugins -----------------------------------------------------------------------------------


class PluginRefused(ValueError):
    """Why a choice of plugins cannot be saved, in the admin's language."""


def front_page_plugin(site: Site) -> str | None:
    """The plugin that answers the site's own address ``/``: the first one
    mounted at the root with a route there (core.app.plugin_routes). Being
    mounted at the root is not enough: evenemang is, for ``/evenemang``."""
    for plugin, routes in call_each(site.pm, "routes", site=site):
        if plugin == CORE or not routes or site.prefix(plugin) != "":
            continue
        if any(getattr(route, "path", None) == "/" for route in routes):
            return str(plugin)
    return None


def locked_plugins(site: Site) -> dict[str, str]:
    """Plugins that cannot be switched off from the web, with why."""
    locked = {name: gettext("Alla webbplatser har det.") for name in DEFAULT_PLUGINS}
    front = front_page_plugin(site)
    if front is not None and front not in locked:
        locked[front] = gettext("Det visar webbplatsens startsida.")
    return locked


def plugin_description(site: Site, name: str) -> str:
    if name in PLUGIN_DESCRIPTIONS:
        return gettext(PLUGIN_DESCRIPTIONS[name])
    try:
        doc = importlib.import_module(site.installed[name].module_path.rsplit(".", 1)[0]).__doc__ or ""
    except Exception:  # a plugin that does not import: its name is all we can say
        return ""
    return doc.strip().split("\n", 1)[0]


def prepare_plugins(site: Site, plugins: list[str]) -> dict[str, list[str]]:
    """Check that the site can start with ``plugins`` and run the
    migrations of those it does not run yet; returns the steps run per
    plugin (``migrate.upgrade_branches``). Raises ``PluginRefused``."""
    locked = locked_plugins(site)
    for name in locked:
        if name not in site_order(plugins):
            raise PluginRefused(
                gettext("%(plugin)s kan inte stängas av: %(reason)s") % {"plugin": name, "reason": locked[name]}
            )
    try:
        trial = with_plugins(site, plugins)
    except ConfigError as exc:
        raise PluginRefused(
            gettext("Tilläggen kan inte slås på så här: site.toml behöver ändras först (%(key)s: %(problem)s).")
            % {"key": exc.key, "problem": exc.problem}
        ) from exc
    from core import migrate

    try:
        new = [name for name in trial.enabled if name not in site.enabled]
        return migrate.upgrade_branches(trial, new)
    except Exception as exc:
        log.exception("Site %s: migrating plugins %s failed", site.slug, plugins)
        raise PluginRefused(
            gettext("Databasen kunde inte förberedas för tillägget (%(error)s). Inget är ändrat.")
            % {"error": type(exc).__name__}
        ) from exc
    finally:
        trial.dispose()


# -- views -----------------------------------------------------------------------------------


def _site(request: Request) -> Site:
    site: Site = request.app.state.site
    return site


def describe(change: SettingChange) -> list[dict[str, str]]:
    before, after = json.loads(change.before), json.loads(change.after)
    rows = []
    for key in (*SITE_KEYS, LOGO_KEY, PLUGINS_KEY, *THEME_KEYS):
        if before.get(key) != after.get(key):
            rows.append(
                {
                    "label": LABELS[key],
                    "before": _shown(key, before.get(key)),
                    "after": _shown(key, after.get(key)),
                }
            )
    return rows


def _shown(key: str, value: str | None) -> str:
    if value is None:
        return ""
    if key == PLUGINS_KEY:
        return ", ".join(value.split(",")) or gettext("inga")
    if key == "locale":
        return LOCALES.get(value, value)
    return value


def _read_logo(upload: UploadFile) -> bytes:
    upload.file.seek(0)
    return upload.file.read(MAX_UPLOAD_KB * 1024 + 1)


def settings_page(request: Request) -> Response:
    site = _site(request)
    user = require_admin(request)
    refresh(site)
    current = values_of(site.config)
    form = SettingsForm.bind(request, data=current)
    if request.method == "POST" and read_form(request).get("forhandsgranska"):
        # The colours as typed, in the picture; nothing is saved (core.colour_preview).
        if form.validate():
            form.contrast_ok()
        typed = {key: str(getattr(form, key).data or "").lower() for key in THEME_KEYS}
        shown = {key: value if COLOUR.match(value) else current[key] for key, value in typed.items()}
        return _render(request, site, form, preview=colour_preview.preview(shown), previewing=True)
    if request.method == "POST" and form.validate() and form.contrast_ok():
        posted = {key: str(getattr(form, key).data or "").strip() for key in (*SITE_KEYS, *THEME_KEYS)}
        posted.update({key: posted[key].lower() for key in THEME_KEYS})
        from_file = values_of(file_config(site))
        overrides = {key: value for key, value in posted.items() if value != from_file[key]}
        with site.session() as db:
            previous = latest_overrides(db)
        overrides.update({key: previous[key] for key in (LOGO_KEY, PLUGINS_KEY) if key in previous})
        upload = form.logo.data
        if isinstance(upload, UploadFile) and upload.filename:
            try:
                overrides[LOGO_KEY] = store_logo(_read_logo(upload), site.uploads_dir)
            except ImageError as exc:
                form.logo.errors = [str(exc)]
        elif form.remove_logo.data:
            overrides.pop(LOGO_KEY, None)
        if not form.logo.errors:
            with site.session() as db:
                row = latest(db)
                if row is None or json.loads(row.after) != overrides:
                    save(site, db, user, overrides)
                    flash(request, gettext("Inställningarna är sparade och gäller nu på hela webbplatsen."))
                else:
                    flash(request, gettext("Inget var ändrat."))
            return RedirectResponse(URL, status_code=303)
    return _render(request, site, form, status_code=400 if request.method == "POST" else 200)


def _render(
    request: Request,
    site: Site,
    form: SettingsForm,
    status_code: int = 200,
    plugin_error: str = "",
    preview: dict[str, object] | None = None,
    previewing: bool = False,
) -> Response:
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
    locked = locked_plugins(site)
    wanted = site_order(wanted_plugins(site, _wanted_now(site)))
    plugins = [
        {
            "name": name,
            "description": plugin_description(site, name),
            "running": name in site.enabled,
            "wanted": name in wanted,
            "locked": locked.get(name, ""),
        }
        for name in [*site.enabled, *sorted(n for n in site.installed if n not in site.enabled)]
    ]
    return site.render(
        request,
        "admin/settings.html",
        {
            "form": form,
            "history": history,
            "page": page,
            "pages": pages,
            "page_link": page_link(URL, {}),
            "plugins": plugins,
            "plugin_error": plugin_error,
            "pending": restart_pending(site),
            "preview": preview or colour_preview.preview({key: values_of(site.config)[key] for key in THEME_KEYS}),
            "previewing": previewing,
        },
        status_code=status_code,
    )


def plugins_page(request: Request) -> Response:
    """Save which plugins run from the next start (see the module)."""
    site = _site(request)
    user = require_admin(request)
    refresh(site)
    chosen = set(read_form(request).getlist("plugin"))
    unknown = sorted(str(name) for name in chosen if name not in site.installed)
    if unknown:
        message = gettext("Det finns inget tillägg som heter %(name)s.") % {"name": unknown[0]}
        return _render(request, site, SettingsForm(data=values_of(site.config)), 400, message)
    current = wanted_plugins(site, _wanted_now(site))
    plugins = [name for name in current if name in chosen or name in DEFAULT_PLUGINS]
    plugins += [
        name for name in site.installed if name in chosen and name not in plugins and name not in DEFAULT_PLUGINS
    ]
    if site_order(plugins) == site_order(current):
        flash(request, gettext("Inget var ändrat."))
        return RedirectResponse(URL, status_code=303)
    try:
        steps = prepare_plugins(site, plugins)
    except PluginRefused as exc:
        return _render(request, site, SettingsForm(data=values_of(site.config)), 400, str(exc))
    with site.session() as db:
        overrides = latest_overrides(db)
        overrides[PLUGINS_KEY] = ",".join(plugins)
        if plugins == list(file_config(site).site.plugins):
            del overrides[PLUGINS_KEY]  # back to site.toml's list, so an edit of the file counts again
        save(site, db, user, overrides)
    flash(request, gettext("Tilläggen är sparade. De gäller efter omstart av webbplatsen."))
    for plugin, done in steps.items():
        # What was done in the database, step by step: the save waited for it.
        flash(
            request,
            gettext("Databasen är förberedd för %(plugin)s: %(count)s steg klara.")
            % {"plugin": plugin, "count": len(done)},
        )
    return RedirectResponse(URL, status_code=303)


def undo(request: Request) -> Response:
    """Back to the settings as they were before a change (saved as a new change)."""
    site = _site(request)
    user = require_admin(request)
    change_id = request.path_params["change_id"]
    with site.session() as db:
        change = db.get(SettingChange, change_id)
        if change is None:
            raise HTTPException(404, gettext("Det finns ingen sådan ändring."))
        restored = {str(k): str(v) for k, v in json.loads(change.before).items()}
    plugins = wanted_plugins(site, restored)
    if plugins != wanted_plugins(site, _wanted_now(site)):
        try:
            prepare_plugins(site, plugins)
        except PluginRefused as exc:
            flash(request, str(exc), "error")
            return RedirectResponse(URL, status_code=303)
    with site.session() as db:
        save(site, db, user, restored)
    flash(request, gettext("Inställningarna är återställda till hur de var före ändringen."))
    return RedirectResponse(URL, status_code=303)


def _wanted_now(site: Site) -> dict[str, str]:
    wanted = getattr(site.state, "plugins_wanted", None)
    return {PLUGINS_KEY: str(wanted)} if wanted is not None else {}
