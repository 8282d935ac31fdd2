"""Federation's hook implementations: how a built-in plugin that every site
loads (``core.plugins.DEFAULT_PLUGINS``) becomes part of the site without
core knowing it. Its routes, the WebSub endpoints in front of the session
middleware, the poller and hub in the lifespan, its kinds' table watch and
its menu items all come in here; its templates, translations, stylesheet
and migrations are found by convention in this package's folders.
``trylast`` puts its list contributions after the site's plugins'.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Literal

from core.api import N_, Block, DailyJob, NavItem, PluginSettings, Site, hookimpl

if TYPE_CHECKING:
    from sqlmodel import Session
    from starlette.requests import Request
    from starlette.routing import BaseRoute
    from starlette.types import ASGIApp


class FederationSettings(PluginSettings):
    """Federation is configured in ``[federation]`` of site.toml (peers,
    external feeds, push), not here. Its paths are part of the protocol
    (peers ask for ``/.well-known/paraply``), so it is always mounted at
    the site root."""

    prefix: Literal["/"] | None = "/"


@hookimpl
def settings_model() -> type[FederationSettings]:
    return FederationSettings


@hookimpl
def routes(site: Site) -> list[BaseRoute]:
    from federation.routes import public_routes

    return public_routes()


@hookimpl
def asgi_wrapper(site: Site) -> Callable[[ASGIApp], ASGIApp]:
    """The WebSub endpoints, outside the session and CSRF middleware. The
    runtime is made here, when the app is built, so the kinds' tables are
    watched (tombstones, pushes) from the first request on, whether or not
    the app's lifespan runs."""
    from federation.routes import MachineEndpoints
    from federation.runtime import Federation

    Federation.of(site)
    return MachineEndpoints


@hookimpl
def startup(site: Site) -> Awaitable[None]:
    """The poller (for a site with peers or external feeds) and the hub."""
    from federation.runtime import Federation

    return Federation.of(site).start()


@hookimpl
def shutdown(site: Site) -> Awaitable[None]:
    from federation.runtime import Federation

    return Federation.of(site).stop()


@hookimpl
def daily_jobs(site: Site) -> list[DailyJob]:
    """Join requests past their date (federation.join)."""
    from federation.join import forget_job

    return [DailyJob("federation-grannforfragningar", N_("Ta bort gamla grannförfrågningar"), forget_job)]


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
def received_stamp(site: Site, session: Session, kind: str) -> str:
    from federation import received

    return received.received_stamp(session, kind)


@hookimpl
def feed_document(request: Request, kind: str, fmt: str, self_path: str) -> Response:
    from federation import received

    return received.feed_document(request, kind, fmt, self_path)


@hookimpl
def openapi_paths(site: Site) -> dict[str, object]:
    from federation import openapi

    return openapi.paths()
