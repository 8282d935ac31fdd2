"""Hook implementations of the lokaler plugin; each delegates to the
module that owns the feature."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.api import NavItem, Place, Site, current_user, hookimpl, url_for
from core.api import gettext as _
from plugins.lokaler import models  # noqa: F401  (registers the tables)
from plugins.lokaler.settings import LokalerSettings

if TYPE_CHECKING:
    from sqlmodel import Session
    from starlette.requests import Request
    from starlette.routing import BaseRoute


@hookimpl
def settings_model() -> type[LokalerSettings]:
    return LokalerSettings


@hookimpl
def routes(site: Site) -> list[BaseRoute]:
    from plugins.lokaler.routes import lokaler_routes

    return lokaler_routes()


@hookimpl
def nav_items(site: Site, request: Request) -> list[NavItem]:
    items = [NavItem("Lokaler", url_for(site, "lokaler:index"), order=45)]
    if current_user(request) is not None:
        items.append(NavItem("Mina bokningar", url_for(site, "lokaler:mine"), order=86, tool=True))
    return items


@hookimpl
def admin_links(site: Site, request: Request) -> list[NavItem]:
    return [
        NavItem(
            _("Bokningar att granska"),
            url_for(site, "lokaler:review"),
            order=45,
            description=_("Förfrågningar om lokaler som väntar på godkännande."),
        ),
        NavItem(
            _("Husets vecka"),
            url_for(site, "lokaler:house_week"),
            order=46,
            description=_("Alla bokningar i Föreningarnas hus vecka för vecka, och dagbladet att skriva ut."),
        ),
    ]


@hookimpl
def bookable_places(site: Site, session: Session) -> list[Place]:
    from sqlmodel import col, select

    from plugins.lokaler.models import Kind, Resource

    house = site.plugin_settings("lokaler", LokalerSettings)
    rooms = session.exec(
        select(Resource)
        .where(col(Resource.is_active).is_(True), Resource.kind == Kind.ROOM)
        .order_by(col(Resource.sort_order), col(Resource.name))
    ).all()
    return [Place(f"lokaler:{room.id}", f"{room.name}, {house.house_name}", house.address) for room in rooms if room.id]


@hookimpl
def demo_data(site: Site, session: Session) -> None:
    from plugins.lokaler import demo

    demo.load(site, session)
