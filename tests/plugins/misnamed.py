"""A broken test plugin: its hook implementation is misspelt, so no hook
spec matches it and building a plugin manager with it must fail."""

from __future__ import annotations

from core import hookimpl
from core.contributions import NavItem


@hookimpl
def nav_item(site: object, request: object) -> list[NavItem]:  # should be nav_items
    return [NavItem("Syns aldrig", "/aldrig")]
