"""Hook implementations of the odling plugin. Registered through the
``paraply.plugins`` entry point (see pyproject.toml), like any third-party
plugin; each hook delegates to the module that owns the feature."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from core.api import (
    N_,
    Block,
    DailyJob,
    FederatedKind,
    Figure,
    NavItem,
    SearchResult,
    Site,
    current_user,
    hookimpl,
    match,
    url_for,
)
from core.api import gettext as _
from plugins.odling import models  # noqa: F401  (registers the tables)
from plugins.odling.settings import OdlingSettings

if TYPE_CHECKING:
    import click
    from sqlmodel import Session
    from starlette.requests import Request
    from starlette.routing import BaseRoute

    from core.api import User

PLUGIN = "odling"


@hookimpl
def settings_model() -> type[OdlingSettings]:
    return OdlingSettings


@hookimpl
def routes(site: Site) -> list[BaseRoute]:
    from plugins.odling.routes import odling_routes

    return odling_routes()


@hookimpl
def nav_items(site: Site, request: Request) -> list[NavItem]:
    from plugins.odling import web

    items = [NavItem("Parken", url_for(site, "odling:park"), order=40)]
    if current_user(request) is not None and web.viewer_is_coordinator(request):
        items.append(NavItem("Samordning", url_for(site, "odling:dashboard"), order=86, tool=True))
    return items


@hookimpl
def admin_links(site: Site, request: Request) -> list[NavItem]:
    from plugins.odling import web

    # The admin overview shows label and description as given: translate here.
    return [
        NavItem(
            _("Parken: samordning"),
            url_for(site, "odling:dashboard"),
            order=50,
            description=_("Bäddar, plantering, skörd, arbetspass, medlemmar och samordnare i %(park)s.")
            % {"park": web.settings_of(site).park_name},
        )
    ]


@hookimpl
def front_page_blocks(site: Site, request: Request, session: Session) -> list[Block]:
    from plugins.odling import crops, web

    today = web.clock(site).today()
    every = crops.all_crops(session)
    blooming = crops.blooming(every, today.month)
    if not blooming:
        month, blooming = crops.next_to_bloom(every, today.month)
        if not blooming:
            return []
        title, month_name = _("Snart blommar det i parken"), web.month_name(month)
    else:
        title, month_name = _("Blommar nu i parken"), web.month_name(today.month)
    return [
        Block(
            title,
            "odling/front_block.html",
            {
                "crops": blooming[:8],
                "more": max(0, len(blooming) - 8),
                "month_name": month_name,
                "blooming_url": url_for(site, "odling:blooming"),
                "join_url": url_for(site, "odling:join"),
                "park_name": web.settings_of(site).park_name,
            },
            order=60,
        )
    ]


@hookimpl
def federated_kinds(site: Site) -> list[FederatedKind]:
    from plugins.odling import federated

    return federated.kinds(site)


@hookimpl
def search_results(site: Site, query: str, session: Session, request: Request) -> list[SearchResult]:
    from sqlmodel import col, select

    from plugins.odling import crops
    from plugins.odling.models import Crop

    clause = match(col(Crop.search_text), query)
    if clause is None:
        return []
    found = session.exec(select(Crop).where(clause).order_by(col(Crop.name_sv)).limit(6)).all()
    return [
        SearchResult(
            f"{c.name_sv} ({c.name_latin})",
            url_for(site, "odling:crops") + f"#vaxt-{c.id}",
            _("Blommar %(months)s. Föda för %(pollinators)s.")
            % {"months": crops.month_ranges(c.months), "pollinators": crops.pollinator_names(c)},
            _("Växt i parken"),
        )
        for c in found
    ]


@hookimpl
def report_figures(site: Site, session: Session, start: date, end: date) -> list[Figure]:
    from plugins.odling import report

    return report.figures(
        session, start if isinstance(start, date) else start.date(), end if isinstance(end, date) else end.date()
    )


@hookimpl
def daily_jobs(site: Site) -> list[DailyJob]:
    return [
        DailyJob("odling-paminnelser", N_("Parken: påminnelser om arbetspass"), _send_reminders),
        DailyJob("odling-gallra", N_("Parken: medlemmar raderas efter gallringsregeln"), _prune_members),
    ]


def _send_reminders(site: Site, now: datetime) -> str:
    from plugins.odling import mail, sessions

    if not mail.can_send(site):
        return "E-post är inte påslaget (mail_from), så inga påminnelser skickades."
    with site.session() as db:
        return f"Skickade påminnelser: {sessions.send_reminders(site, db)}"


def _prune_members(site: Site, now: datetime) -> str:
    from plugins.odling import members

    with site.session() as db:
        return f"Raderade medlemmar: {len(members.prune(site, db))}"


@hookimpl
def demo_data(site: Site, session: Session) -> None:
    from plugins.odling import demo

    demo.load(site, session)


@hookimpl
def cli_commands() -> list[click.Command]:
    from plugins.odling.commands import prune_members, send_reminders

    return [send_reminders, prune_members]


@hookimpl
def own_data(site: Site, session: Session, user: User) -> dict[str, list[dict[str, Any]]]:
    from plugins.odling.own_data import data_of

    return data_of(session, user)


@hookimpl
def forget_user(site: Site, session: Session, user: User) -> None:
    from plugins.odling.own_data import forget

    forget(session, user)
