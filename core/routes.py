"""Core's route list. Plugins add theirs through the ``routes`` hook."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.routing import BaseRoute, Route

from core.oidc import views as oidc
from core.views import accounts, meta, report, style

if TYPE_CHECKING:
    from core.site import Site


def core_routes(site: Site) -> list[BaseRoute]:
    return [
        Route("/konto/logga-in", accounts.login, methods=["GET", "POST"], name="login"),
        Route("/konto/logga-ut", accounts.logout, methods=["POST"], name="logout"),
        Route("/konto/losenord", accounts.change_password, methods=["GET", "POST"], name="change_password"),
        Route("/konto/sprak", accounts.language, methods=["POST"], name="language"),
        Route("/-/admin", meta.admin_index, name="admin"),
        Route("/-/admin/anvandare", accounts.user_list, name="users"),
        Route("/-/admin/anvandare/ny", accounts.user_edit, methods=["GET", "POST"], name="user_new"),
        Route("/-/admin/anvandare/{user_id:int}", accounts.user_edit, methods=["GET", "POST"], name="user_edit"),
        Route("/-/admin/dagliga-jobb", meta.daily_runs, name="daily_runs"),
        Route("/-/admin/uppfoljning", report.report, name="report"),
        Route("/-/admin/uppfoljning.csv", report.report_csv, name="report_csv"),
        Route("/-/plugins", meta.plugins_html, name="plugins"),
        Route("/-/plugins.json", meta.plugins_json, name="plugins_json"),
        Route("/sok", meta.search, name="search"),
        # design (issue 17): the living style page of the design system
        Route("/-/stil", style.style_guide, name="style_guide"),
        # oidc (issue 13): signing in with OpenID providers, and the network's provider
        *oidc.routes(),
    ]
