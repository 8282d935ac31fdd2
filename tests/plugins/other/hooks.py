"""Hook implementations of the ``other`` test plugin: a nav item with the
same ``order`` as the sample plugin's, so only plugin order separates them,
and start-up and shut-down work written beside the sample plugin's, so a
test sees their order (a shut-down that fails when ``site.state.other_fails``
is set)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core import hookimpl
from core.contributions import NavItem

if TYPE_CHECKING:
    from starlette.requests import Request

    from core.site import Site


@hookimpl
def nav_items(site: Site, request: Request) -> list[NavItem]:
    return [NavItem("Andra sidan", "/andra", order=60)]


@hookimpl
def startup(site: Site) -> None:
    site.state.lifecycle = [*getattr(site.state, "lifecycle", []), "andra startad"]


@hookimpl
def shutdown(site: Site) -> None:
    site.state.lifecycle = [*getattr(site.state, "lifecycle", []), "andra stoppad"]
    if getattr(site.state, "other_fails", False):
        raise RuntimeError("andra tillägget kunde inte stanna")
