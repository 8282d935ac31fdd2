"""Languages: Swedish first, English beside it.

Swedish is the source language of every UI string (the msgids are Swedish),
so Swedish needs no catalogue. Other languages come from Babel message
catalogues: ``core/locale/<lang>/LC_MESSAGES/messages.po`` for core and
``plugins/<name>/locale/...`` for each plugin, merged in site order (core
first). The ``.po`` files are the source; the ``.mo`` files are compiled from
them when a site starts (if missing or older) and by ``paraply translations
compile``, and are not committed.

The language of a request is, in order: ``?lang=xx`` in the URL (then kept in
the session), the session's choice, and the site's ``locale``. It lives in a
context variable for the request, so template strings, macros imported
without context, and the date and number filters all agree.
"""

from __future__ import annotations

import gettext as _gettext
import logging
import os
import re
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from jinja2 import Environment, pass_context
from jinja2.runtime import Context

if TYPE_CHECKING:
    from core.site import Site

log = logging.getLogger("paraply")

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
SOURCE_LOCALE = "sv"
LOCALES = {"sv": "Svenska", "en": "English"}
BABEL_LOCALES = {"sv": "sv_SE", "en": "en_GB"}
SESSION_KEY = "lang"

#: Extraction: templates (Jinja2's own extractor) and Python: ``_()`` and
#: ``gettext()`` calls, the label of every ``NavItem``, and form field labels,
#: choice labels and validator messages (the form macros translate them when
#: they render).
METHOD_MAP = [("**/templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]
_FIELDS = (
    "String",
    "TextArea",
    "Email",
    "Password",
    "Select",
    "SelectMultiple",
    "Boolean",
    "Integer",
    "URL",
    "Tel",
    "File",
    "Date",
    "Time",
)
KEYWORDS: dict[str, Any] = {
    "_": None,
    "gettext": None,
    "N_": None,
    "ngettext": (1, 2),
    "NavItem": (1,),
    "SelectChoice": (2,),
    "InputRequired": (1,),
    "DataRequired": (1,),
    **{f"{name}Field": (1,) for name in _FIELDS},
}
EXTRACT_OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true"}}

current_locale: ContextVar[str | None] = ContextVar("paraply_locale", default=None)
#: The site's catalogues for Python-side strings (flash messages, errors),
#: set per request by ``LocaleMiddleware``.
current_translator: ContextVar[Translator | None] = ContextVar("paraply_translator", default=None)


# -- catalogues --------------------------------------------------------------------


def po_path(locale_dir: Path, locale: str) -> Path:
    return locale_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def compile_catalogue(po: Path, *, force: bool = False) -> Path:
    """Compile ``messages.po`` to ``messages.mo`` beside it, if missing or older.

    Written to a temporary file and renamed into place, so another process
    starting a site at the same moment (a second server worker, a parallel
    test worker) reads the old catalogue or the new one, never half of one."""
    mo = po.with_suffix(".mo")
    if force or not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        with po.open("rb") as fh:
            catalog = read_po(fh)
        partial = mo.with_name(f".{mo.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            with partial.open("wb") as fh:
                write_mo(fh, catalog)
            os.replace(partial, mo)
        finally:
            partial.unlink(missing_ok=True)
    return mo


def compile_all(locale_dirs: Iterable[Path], *, force: bool = False) -> list[Path]:
    done = []
    for locale_dir in locale_dirs:
        for po in sorted(locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
            try:
                done.append(compile_catalogue(po, force=force))
            except OSError as exc:  # a read-only install keeps the .mo it shipped with
                log.warning("Kunde inte kompilera %s: %s", po, exc)
    return done


def extract(package_dir: Path) -> Catalog:
    """Every translatable string in a package (core or one plugin)."""
    catalog = Catalog(locale=None, project="paraply", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        package_dir,
        METHOD_MAP,
        options_map=EXTRACT_OPTIONS,
        keywords=KEYWORDS,
        comment_tags=("Translators:",),
        directory_filter=lambda path: not Path(path).name.startswith((".", "_", "locale", "tests", "data")),
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def update_catalogue(package_dir: Path, locale: str) -> tuple[Path, int]:
    """Extract a package's strings and merge them into its catalogue for a
    language (created if missing). Returns the ``.po`` path and how many
    messages still lack a translation."""
    template = extract(package_dir)
    po = po_path(package_dir / "locale", locale)
    if po.exists():
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
    else:
        po.parent.mkdir(parents=True, exist_ok=True)
        catalog = Catalog(locale=locale, project="paraply", charset="utf-8")
        catalog.update(template, no_fuzzy_matching=True)
    with po.open("wb") as fh:
        write_po(fh, catalog, width=120, omit_header=False, ignore_obsolete=True, sort_output=True)
    missing = sum(1 for m in catalog if m.id and (not m.string or m.fuzzy))
    return po, missing


# -- translations at run time ---------------------------------------------------------


@cache
def translations(locale: str, locale_dirs: tuple[Path, ...] = (LOCALE_DIR,)) -> _gettext.NullTranslations:
    """Core's catalogue with each plugin's as fallbacks, in site order."""
    if locale == SOURCE_LOCALE:
        return _gettext.NullTranslations()
    merged: _gettext.NullTranslations | None = None
    for locale_dir in locale_dirs:
        found = _gettext.translation(DOMAIN, localedir=locale_dir, languages=[locale], fallback=True)
        if merged is None:
            merged = found
        elif isinstance(found, _gettext.GNUTranslations):
            merged.add_fallback(found)
    return merged or _gettext.NullTranslations()


class Translator:
    """The ``_``/``gettext`` a site's templates call: the language is the
    request's (``current_locale``), falling back to the site's default.

    The catalogues are merged in site order, so a msgid two plugins share
    ("Ta bort", "Hela katalogen") would get the first one's English. A
    template therefore asks its own package's catalogue first: the owner is
    the first part of the template's name (``fritidsbanken/...``), as each
    plugin keeps its templates in a folder named after itself."""

    def __init__(self, default: str, locale_dirs: tuple[Path, ...], owners: dict[str, Path] | None = None) -> None:
        self.default = default
        self.locale_dirs = locale_dirs
        self.owners = {name: folder for name, folder in (owners or {}).items() if folder in locale_dirs}
        self._file_owners: dict[str, str] = {}
        #: The catalogue folders for each template, owner first (``owned``
        #: runs for every string a page translates: work it out once).
        self._template_dirs: dict[str, tuple[Path, ...]] = {}

    @property
    def locale(self) -> str:
        return current_locale.get() or self.default

    def gettext(self, message: str) -> str:
        return translations(self.locale, self.locale_dirs).gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return translations(self.locale, self.locale_dirs).ngettext(singular, plural, n)

    def owned(self, template: str | None) -> _gettext.NullTranslations:
        """The catalogues with the template's own package's first."""
        key = template or ""
        dirs = self._template_dirs.get(key)
        if dirs is None:
            folder = self.owners.get(_OWNER.split(key, maxsplit=1)[0])
            others = tuple(d for d in self.locale_dirs if d != folder)
            dirs = others if folder is None else (folder, *others)
            self._template_dirs[key] = dirs
        return translations(self.locale, dirs)

    def for_file(self, filename: str) -> _gettext.NullTranslations:
        """The catalogues with those of the package holding ``filename``
        (Python code calling ``gettext``) first."""
        owner = self._file_owners.get(filename)
        if owner is None:
            path = Path(filename)
            found = [name for name, folder in self.owners.items() if path.is_relative_to(folder.parent)]
            owner = self._file_owners[filename] = found[0] if found else ""
        return self.owned(owner)

    @pass_context
    def template_gettext(self, context: Context, message: str) -> str:
        return self.owned(context.name).gettext(message)

    @pass_context
    def template_ngettext(self, context: Context, singular: str, plural: str, n: int) -> str:
        return self.owned(context.name).ngettext(singular, plural, n)


_OWNER = re.compile(r"[:/]")


def install(env: Environment, translator: Translator) -> Translator:
    env.install_gettext_callables(  # type: ignore[attr-defined]  # jinja2.ext.i18n adds it
        translator.template_gettext, translator.template_ngettext, newstyle=True
    )
    return translator


def choose_locale(query_lang: str | None, session: dict[str, Any] | None, default: str) -> str:
    """The request's language: ``?lang=`` (remembered in the session), then
    the session's earlier choice, then the site's default."""
    if query_lang in LOCALES:
        if session is not None:
            session[SESSION_KEY] = query_lang
        return query_lang
    remembered = session.get(SESSION_KEY) if session is not None else None
    return remembered if remembered in LOCALES else default


def gettext(message: str) -> str:
    """Marks a Python-side UI string for extraction and translates it into
    the current request's language with the site's catalogues (core and its
    plugins); Swedish outside a request. Interpolate after translating:
    ``_("Sidan ”%(title)s” är sparad.") % {"title": title}``, so the msgid
    stays one string a translator can reorder."""
    translator = current_translator.get()
    if translator is not None:
        return translator.for_file(sys._getframe(1).f_code.co_filename).gettext(message)
    return translations(current_locale.get() or SOURCE_LOCALE).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """``gettext`` for a message whose form depends on a number."""
    translator = current_translator.get()
    if translator is not None:
        return translator.for_file(sys._getframe(1).f_code.co_filename).ngettext(singular, plural, n)
    return translations(current_locale.get() or SOURCE_LOCALE).ngettext(singular, plural, n)


_ = gettext


def N_(message: str) -> str:  # noqa: N802 (the conventional name, which extraction knows)
    """Marks a string for extraction without translating it: for module
    constants (labels in a dict, choices) that are translated where they are
    shown, with ``gettext(value)`` or the template's ``|translate``."""
    return message


class LocaleMiddleware:
    """Chooses the request's language before the endpoint runs, so strings
    translated in Python (a flash before a redirect, an error message) are in
    the same language as the page. Sits inside the session middleware, which
    keeps a ``?lang=`` choice."""

    def __init__(self, app: Any, translator: Translator) -> None:
        self.app = app
        self.translator = translator

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            lang = choose_locale((query.get("lang") or [None])[-1], scope.get("session"), self.translator.default)
            current_locale.set(lang)
            current_translator.set(self.translator)
        await self.app(scope, receive, send)


@contextmanager
def in_language(language: str) -> Iterator[None]:
    """Translate in ``language`` inside the block, whatever the page's
    language: for e-mail, which is written in its reader's language (the one
    they chose, else the site's), not in that of the page that caused it."""
    token = current_locale.set(language)
    try:
        yield
    finally:
        current_locale.reset(token)


def page_language(site: Site) -> str:
    """The language the current page is shown in ("sv", "en"): the
    request's choice, else the site's default. For what gettext does not
    cover, such as a link that keeps the visitor's language."""
    return current_locale.get() or site.locale


def babel_locale(site: Site) -> str:
    """The Babel locale ("sv_SE", "en_GB") of the current page, for
    ``babel.dates.format_date`` and friends, so dates read as the page does."""
    return BABEL_LOCALES.get(page_language(site), BABEL_LOCALES[SOURCE_LOCALE])
