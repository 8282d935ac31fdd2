"""Hook implementations of the ``other`` test plugin: a nav item with the
same ``order`` as the sample plugin's, so only plugin order separates them."""

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
