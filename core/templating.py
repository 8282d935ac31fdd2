"""Jinja2 environment of a site.

Unprefixed names resolve site, then plugins in site order, then core, so a
site overrides any template by putting a file of the same name in
``sites/<slug>/templates/``. Prefixed names pick one source explicitly:
``{% extends "core:base.html" %}``, ``"webportal:webportal/news_list.html"``,
``"site:base.html"``. Plugins keep their templates in a subfolder named after
the plugin to avoid collisions. Autoescape is always on.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, pass_context, select_autoescape
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.templating import Jinja2Templates

from core import i18n, pagecache
from core.csrf import mask_token
from core.images import picture_of
from core.markdown import render_markdown
from core.memo import remember_for
from core.plugins import collect
from core.site_logo import current_logo, inline_logo
from core.urls import url_for

if TYPE_CHECKING:
    from core.site import Site


def make_templates(site: Site) -> Jinja2Templates:
    folders: dict[str, FileSystemLoader] = {}
    site_templates = site.folder / "templates"
    if site_templates.is_dir():
        folders["site"] = FileSystemLoader(site_templates)
    for info in reversed(site.plugin_infos()[1:]):
        if info.templates_dir:
            folders[info.name] = FileSystemLoader(info.templates_dir)
    core_dir = site.plugin_infos()[0].templates_dir
    assert core_dir is not None
    folders["core"] = FileSystemLoader(core_dir)

    ordered = [folders["site"]] if "site" in folders else []
    ordered += [folders[name] for name in site.enabled if name in folders]
    ordered.append(folders["core"])
    loader = ChoiceLoader([PrefixLoader(folders, delimiter=":"), *ordered])
    env = Environment(
        loader=loader,
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates are read once per process, not stat()ed at every page
        # (issue 21): an edited template is seen after a restart.
        auto_reload=False,
    )
    translator = i18n.install(env, site.translator)

    def babel_locale() -> str:
        return i18n.BABEL_LOCALES[translator.locale]

    def fmt_date(value: date | datetime | None, style: str = "long") -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = _local(value, site.clock.zone).date()
        return format_date(value, format=style, locale=babel_locale())

    def fmt_datetime(value: datetime | None, style: str = "short") -> str:
        if value is None:
            return ""
        local = _local(value, site.clock.zone)
        if style == "short":
            return format_date(local.date(), "d MMM yyyy", locale=babel_locale()) + " " + local.strftime("%H:%M")
        return format_datetime(local, format=style, locale=babel_locale())

    def fmt_number(value: float | int) -> str:
        return format_decimal(value, locale=babel_locale())

    env.filters["date"] = fmt_date
    env.filters["datetime"] = fmt_datetime
    env.filters["number"] = fmt_number

    # For text that is not a literal in the template (nav labels, flash
    # messages): a plain lookup that stays autoescaped, unlike ``_()``,
    # which marks its result safe and %-formats it.
    @pass_context
    def translate(context: Any, text: object) -> str:
        """A Swedish value (a label kept in Python, marked with ``N_``) in the
        page's language, from the template's own package's catalogue first."""
        return translator.owned(context.name).gettext(str(text)) if text else ""

    env.filters["translate"] = translate

    def markdown(text: str | None) -> Markup:
        html = render_markdown(text or "")
        # Content is written in the site's language; when the page is shown in
        # another, say so, so a screen reader pronounces it right (WCAG 3.1.2).
        if html and translator.locale != site.locale:
            return Markup('<div lang="{}">{}</div>').format(site.locale, Markup(html))
        return Markup(html)

    env.filters["markdown"] = markdown
    env.globals["site"] = site
    # A static file's URL with its content hash in the name (core.assets).
    env.globals["static"] = site.assets.url
    # The site's one stylesheet (theme, core, plugins), linked by base.html (core.stylesheet).
    env.globals["site_stylesheet"] = lambda: site.stylesheet.url()
    # The header's logo: drawn inline when it is a small, plain SVG, else an <img> (core.site_logo);
    # site.toml's, or the one uploaded from the web (core.web_settings).
    env.globals["site_logo"] = partial(_logo_markup, site)
    # Paths from route names ("lisa:service", service_id=3), for links on the
    # site's own pages (core.urls). Starlette's url_for stays as it was: an
    # absolute URL from the request.
    env.globals["path_for"] = partial(url_for, site)
    # Uploaded pictures in their responsive sizes, for macros/images.html.
    # (Read only: the folder's path without ``site.uploads_dir``'s mkdir at every picture.)
    env.globals["uploaded_picture"] = lambda name: picture_of(site.data_dir / "uploads", name)
    site.pm.hook.prepare_jinja2_environment(site=site, env=env)

    def context(request: Request) -> dict[str, Any]:
        session = request.session if "session" in request.scope else None
        lang = i18n.choose_locale(request.query_params.get("lang"), session, site.locale)
        i18n.current_locale.set(lang)
        # Asked for only when a page has a form: a page without one sets no
        # cookie and says no ``Vary: Cookie``, so the page cache may keep it.
        token = FormToken(request.scope)
        extra: dict[str, Any] = {}
        for result in site.pm.hook.template_context(site=site, request=request):
            if result:
                extra.update(result)
        user = getattr(request.state, "user", None)
        # The same for every visitor with the same roles: kept per visitor
        # while nothing changes (core.memo), not asked of every plugin per page.
        key = ("core.nav_items", user.id if user else None, lang)
        nav = remember_for(site, request, key, lambda: _nav_items(site, request))
        return {
            "user": user,
            "nav_items": nav,
            "csrftoken": token,
            "csrf_field": FormField(token),
            "flashes": _pop_flashes(request),
            "current_path": request.url.path,
            "lang": lang,
            "other_languages": [
                (code, name, _switch_url(request, code)) for code, name in i18n.LOCALES.items() if code != lang
            ],
            **extra,
        }

    return Jinja2Templates(env=env, context_processors=[context])


def render_fragment(site: Site, template: str, context: dict[str, Any]) -> Markup:
    """A part of a page rendered alone, for ``core.memo.remember``: the
    template sees ``context`` and the site's globals and filters, nothing
    of the visitor (no ``user``, ``request`` or form token), so what it
    gives may be kept and shown to anyone. Translated in the page's language."""
    return Markup(site.templates.env.get_template(template).render(context))


def _nav_items(site: Site, request: Request) -> list[Any]:
    return sorted(collect(site.pm, "nav_items", site=site, request=request), key=lambda n: n.order)


def _logo_markup(site: Site) -> Markup:
    logo = current_logo(site)
    if logo is None:
        return Markup("")
    drawn = inline_logo(logo.path)
    if drawn is None:
        return Markup('<img src="{}" alt="{}" width="40" height="40">').format(logo.url, logo.alt)
    if logo.alt:
        return Markup('<span role="img" aria-label="{}">{}</span>').format(logo.alt, drawn)
    return drawn


def _switch_url(request: Request, lang: str) -> str:
    """This page in another language (a plain link: works without JavaScript)."""
    url = request.url.include_query_params(lang=lang)
    return f"{url.path}?{url.query}"


def _local(value: datetime, tz: ZoneInfo) -> datetime:
    """Stored datetimes are naive UTC; show them in the site's time zone."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo("UTC"))
    return value.astimezone(tz)


def flash(request: Request, message: str, kind: str = "success") -> None:
    """Queue a message for the next page the visitor sees (after a redirect)."""
    # Reassign rather than append: the session middleware only notices assignment.
    request.session["_flashes"] = [*request.session.get("_flashes", []), [kind, message]]


def _pop_flashes(request: Request) -> list[tuple[str, str]]:
    if "session" not in request.scope:
        return []
    flashes = request.session.pop("_flashes", [])
    return [(k, m) for k, m in flashes]


class FormToken:
    """The request's CSRF token, made (and its cookie set) the first time a
    template prints it; masked afresh for every page (BREACH: core.csrf.mask_token)."""

    def __init__(self, scope: MutableMapping[str, Any]) -> None:
        self._scope = scope
        self._value: str | None = None

    def __str__(self) -> str:
        if self._value is None:
            getter = self._scope.get("csrftoken")
            self._value = mask_token(getter()) if getter else ""
            pagecache.form_token_used(self._scope)
        return self._value

    def __html__(self) -> str:
        return str(escape(str(self)))


class FormField:
    """``{{ csrf_field }}``: the hidden input with the token, made when printed."""

    def __init__(self, token: FormToken) -> None:
        self._token = token

    def __html__(self) -> str:
        return f'<input type="hidden" name="csrftoken" value="{escape(str(self._token))}">'

    def __str__(self) -> str:
        return self.__html__()
