"""Hook implementations of the evenemang plugin; each delegates to the
module that owns the feature."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.api import Site, hookimpl
from plugins.evenemang import models  # noqa: F401  (registers the tables)
from plugins.evenemang.settings import EvenemangSettings

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

PLUGIN = "evenemang"


@hookimpl
def settings_model() -> type[EvenemangSettings]:
    return EvenemangSettings


@hookimpl
def routes(site: Site) -> list[BaseRoute]:
    from plugins.evenemang.routes import evenemang_routes

    return evenemang_routes()
