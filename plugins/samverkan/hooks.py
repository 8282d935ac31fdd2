"""Hook implementations of the samverkan plugin; each delegates to the
module that owns the feature."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from core.api import (
    N_,
    AssociationRef,
    Block,
    DailyJob,
    FederatedKind,
    Figure,
    NavItem,
    NoticeKind,
    Site,
    User,
    current_user,
    editable_associations,
    hookimpl,
    url_for,
)
from core.api import gettext as _
from plugins.samverkan import models  # noqa: F401  (registers the tables)
from plugins.samverkan.settings import SamverkanSettings

if TYPE_CHECKING:
    from sqlmodel import Session
    from starlette.requests import Request
    from starlette.routing import BaseRoute


@hookimpl
def settings_model() -> type[SamverkanSettings]:
    return SamverkanSettings


@hookimpl
def routes(site: Site) -> list[BaseRoute]:
    from plugins.samverkan.routes import samverkan_routes

    return samverkan_routes()


@hookimpl
def nav_items(site: Site, request: Request) -> list[NavItem]:
    # No main-menu entry (the menu must stay on one line at 1280 px): the
    # public page is linked from the footer-like tools and the admin page;
    # an association's editors get "Erbjudna uppdrag" beside Mina föreningar.
    user = current_user(request)
    if user is None:
        return []
    with site.session() as db:
        if not editable_associations(site, db, user):
            return []
    return [NavItem("Erbjudna uppdrag", url_for(site, "samverkan:offers"), order=87, tool=True)]


@hookimpl
def admin_links(site: Site, request: Request) -> list[NavItem]:
    return [
        NavItem(
            _("Uppdragsförmedling"),
            url_for(site, "samverkan:assignments"),
            order=60,
            description=_(
                "Uppdrag från kommunen, regionen och företag: förslag på föreningar, erbjudanden och utfall."
            ),
        ),
        NavItem(
            _("Remissvar och skrivelser"),
            url_for(site, "samverkan:statements_admin"),
            order=61,
            description=_("Röstbärarrollen: remissvar, vilka föreningar som deltog och vad som hände."),
        ),
        NavItem(
            _("Nätverksträffar och dialog"),
            url_for(site, "samverkan:meetings"),
            order=62,
            description=_("Möten med deltagare per sektor, minnesanteckningar och åtgärder."),
        ),
        NavItem(
            _("Projektstöd"),
            url_for(site, "samverkan:projects"),
            order=63,
            description=_("Gemensamma projektansökningar: sökt och beviljat."),
        ),
        NavItem(
            _("Uppföljning av IOP"),
            url_for(site, "samverkan:report"),
            order=64,
            description=_("Rapporten per tertial till samverkansgruppen, som PDF, CSV och Excel."),
        ),
    ]


@hookimpl
def report_figures(site: Site, session: Session, start: date, end: date) -> list[Figure]:
    from plugins.samverkan import figures

    return figures.for_core_report(session, start, end)


@hookimpl
def daily_jobs(site: Site) -> list[DailyJob]:
    from plugins.samverkan import personal

    return personal.daily_jobs()


@hookimpl
def own_data(site: Site, session: Session, user: User) -> dict[str, list[dict[str, object]]]:
    from plugins.samverkan import personal

    return personal.own_data(site, session, user)


@hookimpl
def forget_user(site: Site, session: Session, user: User) -> None:
    from plugins.samverkan import personal

    personal.forget_user(session, user)


@hookimpl
def demo_data(site: Site, session: Session) -> None:
    from plugins.samverkan import demo

    demo.load(site, session)


@hookimpl
def front_page_blocks(site: Site, request: Request, session: Session) -> list[Block]:
    """Open assignments on the front page, with the way to offer one: how
    the municipality and companies find uppdragsförmedlingen."""
    from plugins.samverkan.federated import public_open

    # The same list as /samverkan/: an assignment whose last day has passed is not offered.
    newest = public_open(session, site.clock.today())[:3]
    return [Block(_("Uppdrag till föreningarna"), "samverkan/front_block.html", {"items": newest}, order=70)]


@hookimpl
def my_associations_sections(
    site: Site, request: Request, session: Session, user: User, associations: list[AssociationRef]
) -> list[Block]:
    """The offers waiting for an answer from the editor's associations, with
    the answer form, on Mina föreningar."""
    from plugins.samverkan import offers

    return offers.section(site, request, session, associations)


@hookimpl
def federated_kinds(site: Site) -> list[FederatedKind]:
    from plugins.samverkan import federated

    return federated.kinds(site)


@hookimpl
def notice_kinds(site: Site) -> list[NoticeKind]:
    """Issue 20: an association's editors hear that it is offered an assignment."""
    from plugins.samverkan.notices import OFFER_NOTICE

    return [NoticeKind(OFFER_NOTICE, N_("en förening jag är redaktör för erbjuds ett uppdrag"))]
