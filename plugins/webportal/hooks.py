"""The webportal plugin's hook implementations. Each delegates to the module
that owns the feature."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from core import hookimpl
from core.api import (
    N_,
    Figure,
    NavItem,
    NewsletterItem,
    NoticeKind,
    SearchResult,
    current_user,
    remember,
    url_for,
)
from plugins.webportal import models  # noqa: F401  (registers the tables)
from plugins.webportal.settings import WebportalSettings

if TYPE_CHECKING:
    import click
    from sqlmodel import Session
    from starlette.requests import Request
    from starlette.routing import BaseRoute

    from core.api import AssociationRef, FederatedKind, SearchKind, Site, User


@hookimpl
def settings_model() -> type[WebportalSettings]:
    return WebportalSettings


@hookimpl
def routes(site: Site) -> list[BaseRoute]:
    from plugins.webportal.routes import webportal_routes

    return webportal_routes()


@hookimpl
def nav_items(site: Site, request: Request) -> list[NavItem]:
    from plugins.webportal import pages
    from plugins.webportal.directory import edits_any

    items = [
        NavItem("Föreningar", url_for(site, "webportal:associations"), order=10),
        NavItem("Nyheter", url_for(site, "webportal:news_list"), order=20),
    ]
    items += pages.nav_items(site)
    user = current_user(request)
    if user is not None and not user.is_admin:
        with site.session() as db:
            mine = edits_any(db, user)
        if mine:  # an account with no association (the nurse) would find an empty page
            items.append(NavItem("Mina föreningar", url_for(site, "webportal:my_associations"), order=85, tool=True))
    return items


@hookimpl
def admin_links(site: Site, request: Request) -> list[NavItem]:
    return [
        NavItem(
            "Föreningar",
            url_for(site, "webportal:admin_associations"),
            order=10,
            description=N_("Godkänn ansökningar, redigera föreningar och koppla redaktörer."),
        ),
        NavItem(
            "Nyheter", url_for(site, "webportal:news_new"), order=20, description=N_("Skriv och publicera en nyhet.")
        ),
        NavItem(
            "Sidor",
            url_for(site, "webportal:admin_pages"),
            order=30,
            description=N_("Om oss, Kontakt, Tillgänglighetsredogörelse och andra sidor."),
        ),
        NavItem(
            "Månadens förening",
            url_for(site, "webportal:admin_featured"),
            order=40,
            description=N_("Välj vilken förening som lyfts fram på startsidan."),
        ),
    ]


@hookimpl
def federated_kinds(site: Site) -> list[FederatedKind]:
    from plugins.webportal import federated

    return federated.kinds(site)


@hookimpl
def search_kinds(site: Site) -> list[SearchKind]:
    from plugins.webportal import directory, news

    return [directory.search_kind(), news.search_kind()]


@hookimpl
def search_results(site: Site, query: str, session: Session, request: Request) -> list[SearchResult]:
    """Pages only: associations and news are in the search index (``search_kinds``)."""
    from plugins.webportal import pages

    return pages.search_results(site, session, query)


@hookimpl
def report_figures(site: Site, session: Session, start: date, end: date) -> list[Figure]:
    from plugins.webportal import directory, news

    return [*directory.report_figures(session, start, end), *news.report_figures(session, start, end)]


@hookimpl
def starter_content(site: Site, session: Session) -> None:
    from plugins.webportal import demo

    demo.load_starter_pages(site, session)


@hookimpl
def demo_data(site: Site, session: Session) -> None:
    from plugins.webportal import demo

    demo.load(site, session)


@hookimpl
def cli_commands() -> list[click.Command]:
    from plugins.webportal.import_members import import_members

    return [import_members]


@hookimpl
def template_context(site: Site, request: Request) -> dict[str, Any]:
    from plugins.webportal import pages

    # The same for every visitor: kept while nothing changes (issue 21).
    return {"footer_links": remember(request, "webportal.footer_links", lambda: pages.footer_links(site))}


@hookimpl
def member_page_url(site: Site, session: Session, slug: str) -> str | None:
    from plugins.webportal import directory

    return directory.public_page_url(site, session, slug)


@hookimpl
def own_data(site: Site, session: Session, user: User) -> dict[str, list[dict[str, Any]]]:
    from plugins.webportal.own_data import data_of

    return data_of(session, user)


@hookimpl
def forget_user(site: Site, session: Session, user: User) -> None:
    from plugins.webportal.own_data import forget

    forget(session, user)


@hookimpl
def member_associations(site: Site, session: Session) -> list[AssociationRef]:
    from plugins.webportal import directory

    return [directory.ref(a) for a in directory.find_public(session)]


@hookimpl
def editable_associations(site: Site, session: Session, user: User | None) -> list[AssociationRef]:
    from plugins.webportal import directory

    return [directory.ref(a) for a in directory.editable_associations(session, user)]


@hookimpl
def association_editors(site: Site, session: Session, slug: str) -> list[User]:
    """Issue 20: who hears of an assignment offered to the association."""
    from sqlmodel import select

    from plugins.webportal import directory
    from plugins.webportal.models import Association

    association = session.exec(select(Association).where(Association.slug == slug)).first()
    if association is None:
        return []
    return [user for user in directory.editors_of(session, association) if user.is_active]


@hookimpl
def notice_kinds(site: Site) -> list[NoticeKind]:
    """Issue 20: the applicant hears the decision; a person hears they may edit an association."""
    from plugins.webportal.admin import APPLICATION_NOTICE, EDITOR_NOTICE

    return [
        NoticeKind(APPLICATION_NOTICE, N_("en medlemsansökan är godkänd eller avslagen")),
        NoticeKind(EDITOR_NOTICE, N_("jag blir redaktör för en förening")),
    ]


@hookimpl
def newsletter_items(site: Site, session: Session, start: datetime, end: datetime) -> list[NewsletterItem]:
    """Issue 20: the umbrella's and its associations' news published in the period."""
    from sqlmodel import col, select

    from plugins.webportal.models import Association, News
    from plugins.webportal.news import item_url

    rows = session.exec(
        select(News, Association.slug)
        .outerjoin(Association, col(Association.id) == col(News.association_id))
        .where(col(News.published).is_(True), col(News.published_at) >= start, col(News.published_at) < end)
        .order_by(col(News.published_at))
    ).all()
    return [
        NewsletterItem(
            "Nyheter",
            n.title,
            site.absolute_url(item_url(site, n.id)),
            n.summary,
            n.published_at,
            10,
            (slug,) if slug else (),
        )
        for n, slug in rows
    ]
