"""The park's e-mail policy (personal links, reminders), sent through the
site's mailer (``core.api.queue_mail``: the outbox, SMTP or .eml files as
``[mail]`` in site.toml says).

Without ``mail_from`` the park sends nothing at all. Messages are in the
site's language: an e-mail is read later and elsewhere, and we do not know
the member's language.
"""

from __future__ import annotations

from sqlmodel import Session

from core.api import Mail, Site, queue_mail
from plugins.odling.web import PLUGIN, settings_of


def can_send(site: Site) -> bool:
    return bool(settings_of(site).mail_from)


def send(site: Site, to: str, subject: str, body: str, db: Session | None = None) -> bool:
    """Queue one plain-text message, in ``db``'s transaction when given;
    False when mail is switched off or the address is empty."""
    settings = settings_of(site)
    if not settings.mail_from or not to:
        return False
    queue_mail(site, Mail(to, subject, body, site.locale, from_address=settings.mail_from), db, origin=PLUGIN)
    return True
