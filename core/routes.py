"""Core's route list. Plugins add theirs through the ``routes`` hook."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.routing import BaseRoute, Route

from core import colour_preview, health, metrics, openapi, web_settings
from core.oidc import views as oidc
from core.views import accounts, icons, links, meta, notices, own_data, report, sessions, style

if TYPE_CHECKING:
    from core.site import Site


def core_routes(site: Site) -> list[BaseRoute]:
    return [
        Route("/konto/logga-in", accounts.login, methods=["GET", "POST"], name="login"),
        Route("/konto/logga-ut", accounts.logout, methods=["POST"], name="logout"),
        Route("/konto/losenord", accounts.change_password, methods=["GET", "POST"], name="change_password"),
        Route("/konto/sprak", accounts.language, methods=["POST"], name="language"),
        # accounts (issue 13): sessions, e-mailed links, own data
        Route("/konto/inloggningar", sessions.my_sessions, name="my_sessions"),
        Route("/konto/inloggningar/andra/avsluta", sessions.end_other_sessions, methods=["POST"], name="end_others"),
        Route(
            "/konto/inloggningar/{session_id:id}/avsluta", sessions.end_session, methods=["POST"], name="end_session"
        ),
        Route("/konto/glomt-losenord", links.forgot_password, methods=["GET", "POST"], name="forgot_password"),
        Route("/konto/nytt-losenord/{token}", links.reset_password, methods=["GET", "POST"], name="reset_password"),
        Route("/konto/inbjudan/{token}", links.invitation, methods=["GET", "POST"], name="invitation"),
        Route("/konto/inloggningslank/{token}", links.sign_in_link, methods=["GET", "POST"], name="sign_in_link"),
        Route("/konto/mina-uppgifter", own_data.my_data, methods=["GET", "POST"], name="my_data"),
        Route("/konto/mina-uppgifter.zip", own_data.my_data_zip, name="my_data_zip"),
        Route("/-/admin", meta.admin_index, name="admin"),
        Route("/-/admin/anvandare", accounts.user_list, name="users"),
        Route("/-/admin/anvandare/ny", accounts.user_edit, methods=["GET", "POST"], name="user_new"),
        Route("/-/admin/anvandare/{user_id:id}", accounts.user_edit, methods=["GET", "POST"], name="user_edit"),
        Route(
            "/-/admin/anvandare/{user_id:id}/logga-ut",
            sessions.admin_log_out_everywhere,
            methods=["POST"],
            name="user_log_out",
        ),
        Route("/-/admin/anvandare/{user_id:id}/skicka-lank", links.admin_send_link, methods=["POST"], name="user_link"),
        Route("/-/admin/anvandare/{user_id:id}/uppgifter.zip", own_data.admin_data_zip, name="user_data_zip"),
        Route(
            "/-/admin/anvandare/{user_id:id}/dra-tillbaka-inbjudan",
            links.admin_withdraw_invitation,
            methods=["POST"],
            name="user_withdraw_invitation",
        ),
        Route(
            "/-/admin/anvandare/{user_id:id}/ta-bort",
            own_data.admin_delete,
            methods=["GET", "POST"],
            name="user_delete",
        ),
        Route("/-/admin/dagliga-jobb", meta.daily_runs, name="daily_runs"),
        # ops (issue 19): settings from the web (core.web_settings)
        Route("/-/admin/installningar", web_settings.settings_page, methods=["GET", "POST"], name="site_settings"),
        Route("/-/admin/installningar/forhandsvisning.svg", colour_preview.preview_svg, name="site_settings_preview"),
        Route(
            "/-/admin/installningar/tillagg", web_settings.plugins_page, methods=["POST"], name="site_settings_plugins"
        ),
        Route(
            "/-/admin/installningar/{change_id:id}/angra",
            web_settings.undo,
            methods=["POST"],
            name="site_settings_undo",
        ),
        Route("/-/admin/uppfoljning", report.report, name="report"),
        Route("/-/admin/uppfoljning.csv", report.report_csv, name="report_csv"),
        Route("/-/plugins", meta.plugins_html, name="plugins"),
        Route("/-/plugins.json", meta.plugins_json, name="plugins_json"),
        Route("/-/openapi.json", openapi.openapi_json, name="openapi"),
        # ops (issue 19): for monitoring
        Route("/-/health", health.health, name="health"),
        Route("/-/metrics", metrics.metrics, name="metrics"),
        Route("/sok", meta.search, name="search"),
        # design (issue 17): the living style page of the design system
        Route("/-/stil", style.style_guide, name="style_guide"),
        # lighthouse (issue 17): browsers ask for these on every site
        Route("/favicon.ico", icons.favicon, name="favicon"),
        Route("/apple-touch-icon.png", icons.apple_touch_icon, name="apple_touch_icon"),
        # reach (issue 20): notification settings and the outbox's state
        Route("/konto/aviseringar", notices.my_notices, methods=["GET", "POST"], name="my_notices"),
        Route("/aviseringar/{token}", notices.notice_settings, methods=["GET", "POST"], name="notice_settings"),
        Route("/-/admin/e-post", notices.outbox_state, name="outbox_state"),
        Route("/-/admin/e-post/adress/{address_id:id}/ateruppta", notices.resume, methods=["POST"], name="mail_resume"),
        Route(
            "/-/admin/e-post/brev/{message_id:id}/skicka-igen",
            notices.send_again,
            methods=["POST"],
            name="mail_send_again",
        ),
        # oidc (issue 13): signing in with OpenID providers, and the network's provider
        *oidc.routes(),
    ]
