"""The e-mails an account gets: an invitation, a password-reset link, a
one-time sign-in link. Each is written in the recipient's language (the one
they chose for the site, else the site's), whatever the language of the
page that caused it, and goes through core's outbox in the caller's
transaction (core.mail), so a rollback sends nothing."""

from __future__ import annotations

from sqlmodel import Session

from core.i18n import gettext as _
from core.i18n import in_language
from core.mail import Mail, queue_mail
from core.models import User
from core.site import Site
from core.tokens import LIFETIMES, Purpose
from core.urls import absolute_url_for


def language_of(site: Site, user: User) -> str:
    return user.locale or site.locale


def _hours(purpose: Purpose) -> int:
    return int(LIFETIMES[purpose].total_seconds() // 3600)


def send_invitation(site: Site, db: Session, user: User, token: str, inviter: str) -> None:
    lang = language_of(site, user)
    link = absolute_url_for(site, "invitation", token=token)
    with in_language(lang):
        subject = _("Du är inbjuden till %(site)s") % {"site": site.name}
        body = _(
            "Hej %(name)s!\n\n%(inviter)s har skapat ett konto åt dig på %(site)s, så att du kan "
            "sköta din förenings sidor.\n\nVälj ditt lösenord här (länken fungerar en gång, i %(days)s dagar):\n"
            "%(link)s\n\nVäntade du inte det här mejlet kan du bortse från det; kontot används inte "
            "förrän du har valt ett lösenord.\n"
        ) % {
            "name": user.name,
            "inviter": inviter,
            "site": site.name,
            "days": _hours(Purpose.INVITE) // 24,
            "link": link,
        }
    queue_mail(site, Mail(user.email, subject, body, lang), db)


def send_reset(site: Site, db: Session, user: User, token: str) -> None:
    lang = language_of(site, user)
    link = absolute_url_for(site, "reset_password", token=token)
    with in_language(lang):
        subject = _("Nytt lösenord till %(site)s") % {"site": site.name}
        body = _(
            "Hej %(name)s!\n\nNågon (förhoppningsvis du) bad om ett nytt lösenord till ditt konto på %(site)s.\n\n"
            "Välj ett nytt lösenord här (länken fungerar en gång, i %(hours)s timmar):\n%(link)s\n\n"
            "Bad du inte om det kan du bortse från mejlet: ditt lösenord är oförändrat.\n"
        ) % {"name": user.name, "site": site.name, "hours": _hours(Purpose.RESET), "link": link}
    queue_mail(site, Mail(user.email, subject, body, lang), db)


def send_sign_in_link(site: Site, db: Session, user: User, token: str) -> None:
    lang = language_of(site, user)
    link = absolute_url_for(site, "sign_in_link", token=token)
    minutes = int(LIFETIMES[Purpose.SIGN_IN].total_seconds() // 60)
    with in_language(lang):
        subject = _("Din inloggningslänk till %(site)s") % {"site": site.name}
        body = _(
            "Hej %(name)s!\n\nDitt konto på %(site)s har haft många misslyckade inloggningsförsök, så "
            "vi ber om ett extra bevis när du loggar in från en ny webbläsare.\n\nLogga in här (länken "
            "fungerar en gång, i %(minutes)s minuter):\n%(link)s\n\nVar det inte du som försökte logga in? "
            "Då har någon annan ditt lösenord: byt det när du har loggat in, eller be om ett nytt med "
            "”Glömt lösenord?” på inloggningssidan.\n"
        ) % {"name": user.name, "site": site.name, "minutes": minutes, "link": link}
    queue_mail(site, Mail(user.email, subject, body, lang), db)
