"""Hook implementations of the evenemang plugin; each delegates to the
module that owns the feature."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from core.api import (
    N_,
    Block,
    DailyJob,
    FederatedKind,
    Figure,
    NavItem,
    NewsletterItem,
    NoticeKind,
    PlaceUse,
    SearchKind,
    Site,
    User,
    current_user,
    hookimpl,
    url_for,
)
from core.api import gettext as _
from plugins.evenemang import (  # noqa: F401  (programmes, registration)
    models,  # noqa: F401  (registers the tables)
    programme_models,
    registration_models,
)
from plugins.evenemang.settings import EvenemangSettings

if TYPE_CHECKING:
    from sqlmodel import Session
    from starlette.requests import Request
    from starlette.routing import BaseRoute

PLUGIN = "evenemang"
#: How many coming events the front page and an association's page show.
COMING = 5


@hookimpl
def settings_model() -> type[EvenemangSettings]:
    return EvenemangSettings


@hookimpl
def routes(site: Site) -> list[BaseRoute]:
    from plugins.evenemang.programme_routes import programme_routes, registration_routes
    from plugins.evenemang.routes import evenemang_routes

    return [*evenemang_routes(), *programme_routes(), *registration_routes()]


@hookimpl
def nav_items(site: Site, request: Request) -> list[NavItem]:
    items = [NavItem("Evenemang", url_for(site, "evenemang:events"), order=30)]
    if current_user(request) is not None:
        items.append(NavItem("Mina evenemang", url_for(site, "evenemang:mine"), order=85, tool=True))
    return items


@hookimpl
def admin_links(site: Site, request: Request) -> list[NavItem]:
    return [
        NavItem(
            _("Evenemang att granska"),
            url_for(site, "evenemang:review_queue"),
            order=40,
            description=_("Redaktörers evenemang som väntar på godkännande, när webbplatsen kräver det."),
        ),
        NavItem(
            _("Alla evenemang"),
            url_for(site, "evenemang:mine"),
            order=41,
            description=_("Ändra, ställ in eller ta bort evenemang på webbplatsen."),
        ),
        NavItem(
            _("Festivalprogram"),
            url_for(site, "evenemang:programmes"),
            order=42,
            description=_("Program med bidrag från föreningarna: inbjudan, granskning av bidrag och utskrift."),
        ),
    ]


@hookimpl
def front_page_blocks(site: Site, request: Request, session: Session) -> list[Block]:
    from plugins.evenemang import blocks

    block = blocks.coming(site, session, COMING, title=_("På gång"))
    return [block] if block is not None else []


@hookimpl
def association_page_blocks(site: Site, request: Request, session: Session, slug: str) -> list[Block]:
    from plugins.evenemang import blocks

    block = blocks.coming(site, session, COMING, title=_("Kommande evenemang"), association=slug)
    return [block] if block is not None else []


@hookimpl
def federated_kinds(site: Site) -> list[FederatedKind]:
    from plugins.evenemang import federated

    return federated.kinds(site)


@hookimpl
def search_kinds(site: Site) -> list[SearchKind]:
    from plugins.evenemang import blocks

    return [blocks.search_kind()]


@hookimpl
def report_figures(site: Site, session: Session, start: date, end: date) -> list[Figure]:
    from plugins.evenemang import registration_report, report

    after_end = end + timedelta(days=1)
    return [
        *report.figures(site, session, start, after_end),
        *registration_report.figures(site, session, start, after_end),
    ]


@hookimpl
def place_uses(site: Site, session: Session, ref: str, start: datetime, end: datetime) -> list[PlaceUse]:
    """Published events held in the room ``ref`` (chosen from ``bookable_places``)."""
    from plugins.evenemang import blocks

    return blocks.in_place(site, session, ref, start, end)


@hookimpl
def daily_jobs(site: Site) -> list[DailyJob]:
    from plugins.evenemang import registration_report

    return registration_report.daily_jobs()


@hookimpl
def own_data(site: Site, session: Session, user: User) -> dict[str, list[dict[str, Any]]]:
    from plugins.evenemang.own_data import data_of

    return data_of(session, user)


@hookimpl
def forget_user(site: Site, session: Session, user: User) -> None:
    from plugins.evenemang.own_data import forget

    forget(site, session, user)


@hookimpl
def demo_data(site: Site, session: Session) -> None:
    from plugins.evenemang import demo, programme_demo

    demo.load(site, session)
    programme_demo.load(site, session)


@hookimpl
def notice_kinds(site: Site) -> list[NoticeKind]:
    """Issue 20: the submitter of a programme item hears the organisers' decision."""
    from plugins.evenemang.programme_store import PROGRAMME_NOTICE

    return [NoticeKind(PROGRAMME_NOTICE, N_("mitt bidrag till ett festivalprogram har fått besked"))]


@hookimpl
def newsletter_items(site: Site, session: Session, start: datetime, end: datetime) -> list[NewsletterItem]:
    """Issue 20: published events held in the period or the month after it."""
    from datetime import UTC

    from sqlmodel import col, select

    from plugins.evenemang.models import Event, Organiser
    from plugins.evenemang.store import public_statement

    until = end + timedelta(days=31)
    naive = (start.astimezone(UTC).replace(tzinfo=None), until.astimezone(UTC).replace(tzinfo=None))
    events = session.exec(public_statement(session, *naive).order_by(Event.first_start_utc)).all()[:30]
    organisers: dict[int, list[str]] = {}
    ids = [e.id for e in events]
    if ids:
        for event_id, slug in session.exec(
            select(Organiser.event_id, Organiser.association_slug).where(col(Organiser.event_id).in_(ids))
        ).all():
            organisers.setdefault(event_id, []).append(slug)
    return [
        NewsletterItem(
            "Evenemang",
            e.title,
            site.absolute_url(url_for(site, "evenemang:event", event_id=e.id)),
            e.summary,
            e.first_start_utc.replace(tzinfo=UTC),
            20,
            tuple(sorted(organisers.get(e.id or 0, []))),
            ", ".join(p for p in (e.place_name, e.municipality) if p),
        )
        for e in events
    ]
