"""Small helpers the plugin's views share."""

from __future__ import annotations

from datetime import date
from typing import Any

from babel.dates import format_date
from starlette.requests import Request
from starlette.responses import Response

from core.api import N_, Site, babel_locale
from core.api import gettext as _
from plugins.fritidsbanken.models import CONDITION_LABELS, STATUS_LABELS
from plugins.fritidsbanken.phones import display, masked
from plugins.fritidsbanken.settings import FritidsbankenSettings

PLUGIN = "fritidsbanken"
#: Monday first, as ``date.weekday()`` counts; translated where shown (``weekday``).
WEEKDAYS = [N_("måndag"), N_("tisdag"), N_("onsdag"), N_("torsdag"), N_("fredag"), N_("lördag"), N_("söndag")]


def site_of(request: Request) -> Site:
    return request.app.state.site  # type: ignore[no-any-return]


def settings_of(site: Site) -> FritidsbankenSettings:
    return site.plugin_settings(PLUGIN)  # type: ignore[no-any-return]


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


def render(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> Response:
    site = site_of(request)
    base = {
        "fb": settings_of(site),
        # Stored as codes (or Swedish msgids); shown in the request's language.
        "status_label": lambda s: _(STATUS_LABELS.get(s, s)),
        "condition_label": lambda c: _(CONDITION_LABELS.get(c, c)),
        "phone": display,
        "masked_phone": masked,
        "weekdays": [weekday(n) for n in range(7)],
    }
    return site.render(request, template, {**base, **context}, status_code=status_code)
