"""Core's own hook implementations: it contributes like any plugin."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core import hookimpl
from core.contributions import DailyJob, NavItem
from core.i18n import N_
from core.permissions import current_user

if TYPE_CHECKING:
    from starlette.requests import Request

    from core.site import Site


@hookimpl
def admin_links(site: Site, request: Request) -> list[NavItem]:
    return [
        NavItem(
            "Användare", "/-/admin/anvandare", order=90, description=N_("Konton för personal och föreningsredaktörer.")
        ),
        NavItem(
            "Uppföljning",
            "/-/admin/uppfoljning",
            order=80,
            description=N_("Siffror för en period från alla tillägg, som tabell eller CSV."),
        ),
        NavItem("Tillägg", "/-/plugins", order=95, description=N_("Vilka tillägg som är påslagna på webbplatsen.")),
        NavItem(
            "Stil och komponenter",
            "/-/stil",
            order=97,
            description=N_("Byggstenarna som sidor och tillägg använder, med när var och en passar."),
        ),
        NavItem(
            "Dagliga jobb",
            "/-/admin/dagliga-jobb",
            order=96,
            description=N_("Påminnelser och gallring som webbplatsen sköter själv varje natt."),
        ),
    ]


@hookimpl
def nav_items(site: Site, request: Request) -> list[NavItem]:
    user = current_user(request)
    if user is not None and user.is_admin:
        return [NavItem("Administration", "/-/admin", order=90)]
    return []


@hookimpl
def daily_jobs(site: Site) -> list[DailyJob]:
    """The network provider's key rotation (core.oidc.keys), on a site that is one."""
    if not site.config.auth.provider.enabled:
        return []
    from core.oidc.keys import rotate_job

    return [DailyJob("oidc-keys", N_("Signeringsnycklar för inloggning i nätverket"), rotate_job)]
