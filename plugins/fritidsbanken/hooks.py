"""The Fritidsbanken plugin's hook implementations. Each delegates to the
module that owns the feature."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from core import hookimpl
from core.api import (
    N_,
    Block,
    DailyJob,
    Figure,
    NavItem,
    SearchResult,
    current_user,
    url_for,
)
from core.api import gettext as _
from plugins.fritidsbanken import models  # noqa: F401  (registers the tables)
from plugins.fritidsbanken.settings import FritidsbankenSettings
from plugins.fritidsbanken.web import settings_of

if TYPE_CHECKING:
    import click
    from sqlmodel import Session
    from starlette.requests import Request
    from starlette.routing import BaseRoute

    from core.api import FederatedKind, Site, User

PLUGIN = "fritidsbanken"


@hookimpl
def settings_model() -> type[FritidsbankenSettings]:
    return FritidsbankenSettings


@hookimpl
def routes(site: Site) -> list[BaseRoute]:
    from plugins.fritidsbanken.routes import fritidsbanken_routes

    return fritidsbanken_routes()


@hookimpl
def nav_items(site: Site, request: Request) -> list[NavItem]:
    from plugins.fritidsbanken.access import is_staff, known_staff

    title = settings_of(site).title
    # Labels are Swedish msgids; the navigation translates them (``|translate``).
    items = [
        NavItem(title, url_for(site, "fritidsbanken:catalogue"), order=40),
        NavItem("Mina lån", url_for(site, "fritidsbanken:my_loans"), order=41, tool=True),
    ]
    user = current_user(request)
    if user is not None:
        staff = known_staff(request, user)  # the desk's own pages know already
        if staff is None:
            with site.session() as db:
                staff = is_staff(db, user)
        if staff:
            items.append(NavItem("Disken", url_for(site, "fritidsbanken:counter"), order=42, tool=True))
    return items


@hookimpl
def admin_links(site: Site, request: Request) -> list[NavItem]:
    # The admin overview shows labels and descriptions as given: translated here, per request.
    title = settings_of(site).title
    return [
        NavItem(
            _("%(title)s: disken") % {"title": title},
            url_for(site, "fritidsbanken:counter"),
            order=60,
            description=_("Låna ut, ta emot och registrera låntagare."),
        ),
        NavItem(
            _("%(title)s: katalogen") % {"title": title},
            url_for(site, "fritidsbanken:admin_items"),
            order=61,
            description=_("Lägg in skänkta saker, skriv ut etiketter, skicka till reparation."),
        ),
        NavItem(
            _("%(title)s: utlåningsställen") % {"title": title},
            url_for(site, "fritidsbanken:admin_branches"),
            order=62,
            description=_("Adresser, öppettider och vilken personal som arbetar var."),
        ),
        NavItem(
            _("%(title)s: statistik") % {"title": title},
            url_for(site, "fritidsbanken:statistics"),
            order=63,
            description=_("Lån per månad, kategori och ställe, låntagare per åldersgrupp; som diagram och CSV."),
        ),
    ]


@hookimpl
def front_page_blocks(site: Site, request: Request, session: Session) -> list[Block]:
    from plugins.fritidsbanken.front import newest_block

    block = newest_block(site, session)
    return [block] if block else []


@hookimpl
def federated_kinds(site: Site) -> list[FederatedKind]:
    from plugins.fritidsbanken import federated

    return federated.kinds(site)


@hookimpl
def search_results(site: Site, query: str, session: Session, request: Request) -> list[SearchResult]:
    from plugins.fritidsbanken import catalogue

    return catalogue.search_results(site, session, query)


@hookimpl
def report_figures(site: Site, session: Session, start: date, end: date) -> list[Figure]:
    from plugins.fritidsbanken import stats

    return stats.report_figures(session, site, start, end)


@hookimpl
def daily_jobs(site: Site) -> list[DailyJob]:
    return [DailyJob("fritidsbanken", N_("Fritidsbanken: påminnelser, reservationer och gallring"), _run_daily)]


def _run_daily(site: Site, now: datetime) -> str:
    from plugins.fritidsbanken.reminders import run_daily

    return "; ".join(run_daily(site, now).lines())


@hookimpl
def demo_data(site: Site, session: Session) -> None:
    from plugins.fritidsbanken import demo

    demo.load(site, session)


@hookimpl
def cli_commands() -> list[click.Command]:
    from plugins.fritidsbanken.cli import fritidsbanken

    return [fritidsbanken]


@hookimpl
def own_data(site: Site, session: Session, user: User) -> dict[str, list[dict[str, Any]]]:
    from plugins.fritidsbanken.own_data import data_of

    return data_of(session, user)


@hookimpl
def forget_user(site: Site, session: Session, user: User) -> None:
    from plugins.fritidsbanken.own_data import forget

    forget(session, user)
