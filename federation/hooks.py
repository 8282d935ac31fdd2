"""Federation's hook implementations. Federation is not a plugin, but it
contributes to the site's lists the way core and plugins do; it is
registered on every site by ``federation.runtime.Federation.install``.
``trylast`` puts its contributions after the plugins'."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core import hookimpl
from core.contributions import Block, NavItem
from core.i18n import N_

if TYPE_CHECKING:
    from sqlmodel import Session
    from starlette.requests import Request

    from core.site import Site


@hookimpl(trylast=True)
def nav_items(site: Site, request: Request) -> list[NavItem]:
    if not site.config.federation.peers:
        return []
    return [NavItem("Nätverket", "/natverket/nyheter", order=40)]


@hookimpl(trylast=True)
def admin_links(site: Site, request: Request) -> list[NavItem]:
    return [
        NavItem(
            "Nätverket",
            "/-/admin/natverket",
            order=85,
            description=N_("Grannsajter och andra flöden: när de senast hämtades, fel och vad som tagits emot."),
        )
    ]


@hookimpl(trylast=True)
def front_page_blocks(site: Site, request: Request, session: Session) -> list[Block]:
    """One block per external feed in ``[[federation.external]]`` (Forum's news ...)."""
    from federation.views import external_blocks

    return [
        Block(block["source"].name, "federation/external_block.html", block, order=60)
        for block in external_blocks(site, session)
    ]


# -- iface (issue 12): what plugins ask of federation -------------------------------------------------

if TYPE_CHECKING:
    from starlette.responses import Response

    from core.api import ReceivedEntry


@hookimpl
def received_entries(site: Site, session: Session, kind: str, query: str, limit: int) -> list[ReceivedEntry]:
    from federation import received

    return received.received_entries(site, session, kind, query, limit)


@hookimpl
def feed_document(request: Request, kind: str, fmt: str, self_path: str) -> Response:
    from federation import received

    return received.feed_document(request, kind, fmt, self_path)
