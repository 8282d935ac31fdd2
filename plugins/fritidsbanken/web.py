"""Small helpers the plugin's views share."""

from __future__ import annotations

from datetime import date
from typing import Any

from babel.dates import format_date
from starlette.requests import Request
from starlette.responses import Response

from core.api import N_, Site, babel_locale
from core.api import gettext as _
from core.api import site_of as site_of  # for the plugin's views
from plugins.fritidsbanken.models import CONDITION_LABELS, STATUS_LABELS
from plugins.fritidsbanken.phones import display, masked
from plugins.fritidsbanken.settings import FritidsbankenSettings

PLUGIN = "fritidsbanken"
#: Monday first, as ``date.weekday()`` counts; translated where shown (``weekday``).
WEEKDAYS = [N_("måndag"), N_("tisdag"), N_("onsdag"), N_("torsdag"), N_("fredag"), N_("lördag"), N_("söndag")]


def settings_of(site: Site) -> FritidsbankenSettings:
    return site.plugin_settings(PLUGIN, FritidsbankenSettings)


def weekday(number: int) -> str:
    """A weekday's name (0 = Monday) in the request's language."""
    return _(WEEKDAYS[number])


def short_date(site: Site, day: date | None) -> str:
    """A day in the request's language, the way its people write it short:
    2026-03-16 in Swedish, 16/03/2026 in British English. For messages built
    in Python (flashes, the counter's lines); templates use ``|date``."""
    if day is None:
        return ""
    return format_date(day, "short", locale=babel_locale(site))


def status_label(status: str) -> str:
    """An item's status (stored as a code, or a Swedish msgid) in the request's language."""
    return _(STATUS_LABELS.get(status, status))


def condition_label(condition: str) -> str:
    """An item's condition, likewise."""
    return _(CONDITION_LABELS.get(condition, condition))


#: Words a size may already start with ("storlek 5", "Strl. M"): the label says "Storlek" once.
SIZE_WORDS = ("storlek", "stl", "strl", "size")


def size_label(size: str) -> str:
    """ "Storlek 5" ("Size 5" in English) for a stored size, also when whoever
    entered it wrote the word already ("storlek 5" is not "Storlek storlek 5")."""
    words = size.split(maxsplit=1)
    if words and words[0].casefold().rstrip(".:") in SIZE_WORDS:
        words = words[1:]
    value = " ".join(words)
    return _("Storlek %(size)s") % {"size": value} if value else ""


def size_value(size: str) -> str:
    """The size without a leading "storlek", for lists of sizes."""
    words = size.split(maxsplit=1)
    if len(words) == 2 and words[0].casefold().rstrip(".:") in SIZE_WORDS:
        return words[1]
    return size.strip()


def render(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> Response:
    site = site_of(request)
    return site.render(request, template, {**shared_context(site), **context}, status_code=status_code)


def shared_context(site: Site) -> dict[str, Any]:
    """What every Fritidsbanken template sees, a page or a kept part of one."""
    return {
        "fb": settings_of(site),
        # Stored as codes (or Swedish msgids); shown in the request's language.
        "status_label": status_label,
        "condition_label": condition_label,
        "phone": display,
        "masked_phone": masked,
        "weekdays": [weekday(n) for n in range(7)],
        "size_label": size_label,
    }
