"""Core's own hook implementations: it contributes like any plugin."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core import hookimpl
from core.contributions import DailyJob, NavItem
from core.i18n import N_
from core.permissions import current_user

if TYPE_CHECKING:
    from datetime import datetime

    from sqlmodel import Session
    from starlette.requests import Request

    from core.models import User
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
            "Inställningar",
            "/-/admin/installningar",
            order=85,
            description=N_("Webbplatsens namn, beskrivning, kontaktadress och färger, med historik."),
        ),
        NavItem(
            "E-post",
            "/-/admin/e-post",
            order=94,
            description=N_("Utkorgens läge, brev som inte gått fram och pausade adresser."),
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
        return [NavItem("Administration", "/-/admin", order=90, tool=True)]
    return []


@hookimpl
def daily_jobs(site: Site) -> list[DailyJob]:
    jobs = [
        DailyJob("bildstorlekar", N_("Bildstorlekar"), picture_sizes),
        DailyJob("core-accounts", N_("Gallra inloggningar och kontolänkar"), clean_accounts),
        DailyJob("core-mail", N_("Gallra skickad e-post och aviseringsval"), clean_mail),
        DailyJob("core-rate-limits", N_("Gallra räknade försök för gränserna per timme"), clean_rate_limits),
    ]
    if site.config.auth.provider.enabled:  # the network provider's key rotation (core.oidc.keys)
        from core.oidc.keys import rotate_job

        jobs.append(DailyJob("oidc-keys", N_("Signeringsnycklar för inloggning i nätverket"), rotate_job))
    if site.config.backup.dir:  # scheduled backups (core.backup), ops (issue 19)
        from core.backup import scheduled_backup

        jobs.append(DailyJob("backup", N_("Säkerhetskopia"), scheduled_backup))
    return jobs


def picture_sizes(site: Site, now: datetime) -> str:
    """Make the responsive sizes of uploads stored before they existed (or
    copied in by hand); pages show the original until then."""
    from core.images import make_missing_variants

    done, failed = make_missing_variants(site.uploads_dir)
    line = f"{done} bilder fick nya storlekar."
    return line + (f" {failed} filer kunde inte läsas som bilder." if failed else "")


def clean_accounts(site: Site, now: datetime) -> str:
    """Personal data with a deletion date: sessions past their expiry,
    e-mailed links past theirs, failed logins past the throttle's window."""
    from core import sessions, tokens
    from core.accounts import delete_old_failures

    with site.session() as db:
        ended = sessions.delete_expired(db, now)
        links = tokens.delete_expired(db, now)
        failures = delete_old_failures(db, now)
        db.commit()
    return (
        f"{ended} utgångna inloggningar, {links} gamla kontolänkar och "
        f"{failures} misslyckade inloggningsförsök borttagna."
    )


def clean_rate_limits(site: Site, now: datetime) -> str:
    """Personal data with a deletion date: the keyed hashes a rate limit
    counted by (core.rate_limits), once their window has ended."""
    from core.rate_limits import forget_expired

    return f"{forget_expired(site, now)} räknade försök borttagna."


@hookimpl
def forget_user(site: Site, session: Session, user: User) -> None:
    """Settings changes keep what changed, not who changed it (core.web_settings)."""
    from core.web_settings import forget_user as forget_in_settings

    forget_in_settings(session, user)


@hookimpl
def demo_data(site: Site, session: Session) -> None:
    """One change under Administration → Inställningar, by the demo admin,
    so the history and its undo button show (core.web_settings). Once."""
    import json

    from sqlmodel import select

    from core.accounts import get_user_by_email
    from core.demo import demo_accounts
    from core.models import Role
    from core.setting_changes import SettingChange

    if session.exec(select(SettingChange)).first() is not None:
        return
    admin_email = next((email for email, _name, role in demo_accounts(site) if role == Role.ADMIN), None)
    admin = get_user_by_email(session, admin_email) if admin_email else None
    description = f"{site.name} samlar föreningslivet: hitta en förening, läs nyheterna och se vad som händer."
    session.add(
        SettingChange(
            user_id=admin.id if admin else None,
            at=site.clock.now(),
            before="{}",
            after=json.dumps({"description": description}, ensure_ascii=False),
        )
    )


def clean_mail(site: Site, now: datetime) -> str:
    """Personal data with a deletion date (issue 20): sent messages after
    ``core.mail.KEEP_SENT``, and notification settings that switch nothing off."""
    from core import mail, notices

    with site.session() as db:
        sent = mail.delete_old_sent(db, now)
        unused = notices.forget_unused(site, db)
        db.commit()
    return f"{sent} skickade brev och {unused} oanvända aviseringsval borttagna."
