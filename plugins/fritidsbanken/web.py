"""Small helpers the plugin's views share."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from core.site import Site
from plugins.fritidsbanken.models import CONDITION_LABELS, STATUS_LABELS
from plugins.fritidsbanken.phones import display, masked
from plugins.fritidsbanken.settings import FritidsbankenSettings

PLUGIN = "fritidsbanken"
WEEKDAYS = ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"]


def site_of(request: Request) -> Site:
    return request.app.state.site  # type: ignore[no-any-return]


def settings_of(site: Site) -> FritidsbankenSettings:
    return site.plugin_settings(PLUGIN)  # type: ignore[no-any-return]


def url(site: Site, path: str = "") -> str:
    """A path inside the plugin, wherever it is mounted."""
    return f"{site.prefix(PLUGIN)}{path}" or "/"


def render(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> Response:
    site = site_of(request)
    base = {
        "fb": settings_of(site),
        "fb_url": lambda path="": url(site, path),
        "status_label": lambda s: STATUS_LABELS.get(s, s),
        "condition_label": lambda c: CONDITION_LABELS.get(c, c),
        "phone": display,
        "masked_phone": masked,
        "weekdays": WEEKDAYS,
    }
    return site.render(request, template, {**base, **context}, status_code=status_code)


def int_param(request: Request, name: str, default: int = 1) -> int:
    try:
        return max(1, int(request.query_params.get(name, str(default))))
    except ValueError:
        return default
