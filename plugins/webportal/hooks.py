"""The webportal plugin's hook implementations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core import hookimpl
from plugins.webportal import models  # noqa: F401  (registers the tables)
from plugins.webportal.settings import WebportalSettings

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

    from core.site import Site


@hookimpl
def settings_model() -> type[WebportalSettings]:
    return WebportalSettings


@hookimpl
def routes(site: Site) -> list[BaseRoute]:
    from plugins.webportal.routes import webportal_routes

    return webportal_routes()
