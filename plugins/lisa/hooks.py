"""The LISA plugin's hook implementations. Each delegates to the module that
owns the feature."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from core import hookimpl
from core.api import (
    N_,
    DailyJob,
    Figure,
    NavItem,
    NoticeKind,
    current_user,
    url_for,
)
from core.api import gettext as _
from plugins.lisa import models  # noqa: F401  (registers the tables)
from plugins.lisa.settings import LisaSettings

if TYPE_CHECKING:
    import click
    from sqlmodel import Session
    from starlette.requests import Request
    from starlette.routing import BaseRoute

    from core.api import FederatedKind, SearchKind, Site, User


@hookimpl
def settings_model() -> type[LisaSettings]:
    return LisaSettings


@hookimpl
def routes(site: Site) -> list[BaseRoute]:
    from plugins.lisa.routes import lisa_routes

    return lisa_routes()


@hookimpl
def nav_items(site: Site, request: Request) -> list[NavItem]:
    from plugins.lisa import roles

    items = [NavItem("Hitta hjälp", url_for(site, "lisa:search"), order=30)]
    user = current_user(request)
    if user is not None:
        with site.session() as session:
            kinds = {m.kind for m in roles.memberships(session, user)}
        if kinds:
            items.append(NavItem("Remisser", url_for(site, "lisa:referrals"), order=80, tool=True))
        if "organisation" in kinds:
            items.append(NavItem("Mina tjänster", url_for(site, "lisa:my_services"), order=86, tool=True))
    return items


@hookimpl
def admin_links(site: Site, request: Request) -> list[NavItem]:
    return [
        # The admin overview shows these as they are, so they are translated here.
        NavItem(
            _("LISA – hitta rätt hjälp"),
            url_for(site, "lisa:admin"),
            order=50,
            description=_("Tjänster och organisationer, behov, ändringsförslag, tjänster att kontrollera, roller."),
        ),
        NavItem(
            _("LISA: affischer och utskrifter"),
            url_for(site, "lisa:print_index"),
            order=51,
            description=_("Affisch med QR-kod per kommun och A4-listor till vårdcentralerna."),
        ),
    ]


@hookimpl
def federated_kinds(site: Site) -> list[FederatedKind]:
    from plugins.lisa import federated

    return federated.kinds(site)


@hookimpl
def search_kinds(site: Site) -> list[SearchKind]:
    """Services in the site search (``/sok``), ranked with the rest; peers'
    copies of the federated kind ``help`` share the kind."""
    from plugins.lisa import directory

    return [directory.search_kind()]


@hookimpl
def report_figures(site: Site, session: Session, start: date, end: date) -> list[Figure]:
    from sqlmodel import select

    from plugins.lisa.models import Organisation, Service, ServiceStatus
    from plugins.lisa.referrals import referrals_sent_between

    services = session.exec(select(Service).where(Service.status != ServiceStatus.ENDED)).all()
    organisations = session.exec(select(Organisation)).all()
    # The report page and its CSV show labels as they are: in the language of
    # the person who opens the report.
    # Translators: the unit after a count in the follow-up report ("12 st").
    count = _("st")
    return [
        Figure(_("Tjänster i LISA"), len(services), count, plugin="lisa"),
        Figure(_("Organisationer i LISA"), len(organisations), count, plugin="lisa"),
        Figure(_("Remisser skickade via LISA"), referrals_sent_between(session, start, end), count, plugin="lisa"),
    ]


@hookimpl
def daily_jobs(site: Site) -> list[DailyJob]:
    return [DailyJob("lisa-remisser", N_("LISA: remisser raderas när deras tid har gått ut"), _purge_referrals)]


def _purge_referrals(site: Site, now: datetime) -> str:
    from plugins.lisa.referrals import purge_expired

    with site.session() as session:
        return f"Raderade remisser: {purge_expired(session, now)}"


@hookimpl
def demo_data(site: Site, session: Session) -> None:
    from plugins.lisa import demo

    demo.load(site, session)


@hookimpl
def cli_commands() -> list[click.Command]:
    from plugins.lisa.cli import lisa_export, lisa_import, lisa_purge

    return [lisa_export, lisa_import, lisa_purge]


@hookimpl
def own_data(site: Site, session: Session, user: User) -> dict[str, list[dict[str, Any]]]:
    from plugins.lisa.own_data import data_of

    return data_of(session, user)


@hookimpl
def forget_user(site: Site, session: Session, user: User) -> None:
    from plugins.lisa.own_data import forget

    forget(session, user)


@hookimpl
def openapi_paths(site: Site) -> dict[str, object]:
    """The HSDS read API in the site's ``/-/openapi.json``."""
    from plugins.lisa.hsds import openapi

    return openapi.paths(site)


@hookimpl
def notice_kinds(site: Site) -> list[NoticeKind]:
    """Issue 20: a referral received, to the receiving organisation's people."""
    from plugins.lisa.referrals import REFERRAL_NOTICE

    return [NoticeKind(REFERRAL_NOTICE, N_("en remiss kommer till min organisation"))]
