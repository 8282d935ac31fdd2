"""The nyhetsbrev plugin's hook implementations."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from core.api import N_, Block, DailyJob, NavItem, Site, User, hookimpl, url_for
from plugins.nyhetsbrev import models  # noqa: F401  (registers the tables)
from plugins.nyhetsbrev.settings import NyhetsbrevSettings

if TYPE_CHECKING:
    from sqlmodel import Session
    from starlette.requests import Request
    from starlette.routing import BaseRoute


@hookimpl
def settings_model() -> type[NyhetsbrevSettings]:
    return NyhetsbrevSettings


@hookimpl
def routes(site: Site) -> list[BaseRoute]:
    from plugins.nyhetsbrev.routes import nyhetsbrev_routes

    return nyhetsbrev_routes()


@hookimpl
def admin_links(site: Site, request: Request) -> list[NavItem]:
    return [
        NavItem(
            "Nyhetsbrev",
            url_for(site, "nyhetsbrev:admin"),
            order=30,
            description=N_("Skriv, förhandsgranska och skicka nyhetsbrevet; se hur många som prenumererar."),
        )
    ]


@hookimpl
def front_page_blocks(site: Site, request: Request, session: Session) -> list[Block]:
    return [
        Block(
            "Nyhetsbrev",
            "nyhetsbrev/_front.html",
            {
                "subscribe_url": url_for(site, "nyhetsbrev:subscribe"),
                "archive_url": url_for(site, "nyhetsbrev:archive"),
            },
            order=90,
        )
    ]


@hookimpl
def association_page_blocks(site: Site, request: Request, session: Session, slug: str) -> list[Block]:
    """Issue 20: "Följ via e-post" on an association's page, to the form with it ticked."""
    from urllib.parse import urlencode

    from core.api import gettext as _

    url = url_for(site, "nyhetsbrev:subscribe") + "?" + urlencode({"forening": slug})
    return [Block(_("Följ via e-post"), "nyhetsbrev/_follow.html", {"follow_url": url}, order=95)]


@hookimpl
def daily_jobs(site: Site) -> list[DailyJob]:
    return [
        DailyJob("nyhetsbrev-obekraftade", N_("Radera obekräftade prenumerationer"), _purge),
        DailyJob("nyhetsbrev-sammandrag", N_("Skicka sammandrag till prenumeranter"), _digests),
    ]


def _digests(site: Site, now: datetime) -> str:
    from core.api import current_translator
    from plugins.nyhetsbrev.letters import send_digests

    token = current_translator.set(site.translator)  # no request here: the site's catalogues, plugins' too
    try:
        with site.session() as db:
            sent = send_digests(site, db)
            db.commit()
    finally:
        current_translator.reset(token)
    return f"{sent} sammandrag köade."


def _purge(site: Site, now: datetime) -> str:
    from plugins.nyhetsbrev.letters import purge_unconfirmed

    with site.session() as db:
        gone = purge_unconfirmed(site, db)
        db.commit()
    return f"{gone} obekräftade adresser raderade."


@hookimpl
def own_data(site: Site, session: Session, user: User) -> dict[str, list[dict[str, Any]]]:
    from sqlmodel import select

    from plugins.nyhetsbrev.models import Subscriber

    row = session.exec(select(Subscriber).where(Subscriber.email == user.email.lower())).first()
    if row is None:
        return {}
    return {
        "prenumeration": [
            {
                "e-post": row.email,
                "språk": row.language,
                "anmäld": row.created_at,
                "samtycke": row.consent_text,
                "bekräftad": row.confirmed_at,
                "ämnen": row.topics,
                "sammandrag": row.frequency,
                "senaste sammandrag": row.last_digest_at,
                "följda föreningar": row.associations,
            }
        ]
    }


@hookimpl
def forget_user(site: Site, session: Session, user: User) -> None:
    from sqlmodel import col, delete

    from plugins.nyhetsbrev.models import Subscriber

    session.exec(delete(Subscriber).where(col(Subscriber.email) == user.email.lower()))


@hookimpl
def demo_data(site: Site, session: Session) -> None:
    from plugins.nyhetsbrev import demo

    demo.load(site, session)
