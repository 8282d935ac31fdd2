"""Translations. Swedish is the source language of every UI string, so a site
in Swedish needs no catalogue; other languages come from Babel catalogues in
``core/locale`` when they exist (``en`` is planned)."""

from __future__ import annotations

import gettext as _gettext
from functools import cache
from pathlib import Path

from jinja2 import Environment

LOCALE_DIR = Path(__file__).parent / "locale"


@cache
def translations(locale: str) -> _gettext.NullTranslations:
    if locale == "sv":
        return _gettext.NullTranslations()
    return _gettext.translation("messages", localedir=LOCALE_DIR, languages=[locale], fallback=True)


def install(env: Environment, locale: str) -> None:
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]


def gettext(message: str) -> str:
    """Marks a Python-side UI string for extraction; Swedish is returned as is
    until per-request locales arrive."""
    return message


_ = gettext
