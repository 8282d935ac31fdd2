"""The notice an association's editors get when staff offer it an
assignment (issue 20: ``OFFER_NOTICE``, declared with the ``notice_kinds``
hook): in each editor's language, with a link to Erbjudna uppdrag, where
they answer after logging in. Sent in the transaction that stores the
offer, so a failed offer mails nobody."""

from __future__ import annotations

from sqlmodel import Session

from core.api import Mail, Site, absolute_url_for, association_editors, in_language, notify, recipient_language
from core.api import gettext as _
from plugins.samverkan.models import Assignment, Offer

#: The partnership plugin's notice kind.
OFFER_NOTICE = "samverkan.offer"


def tell_editors(site: Site, db: Session, assignment: Assignment, offer: Offer) -> int:
    """Mail each editor of the offered association (who has not switched
    the kind off); returns how many were mailed."""
    link = absolute_url_for(site, "samverkan:offers")
    sent = 0
    for editor in association_editors(site, db, offer.association_slug):
        if not editor.email:
            continue
        lang = recipient_language(site, db, editor.email)
        with in_language(lang):
            subject = _("Nytt uppdragserbjudande: %(title)s") % {"title": assignment.title}
            body = _(
                "Hej %(user)s!\n\n%(site)s erbjuder %(association)s uppdraget ”%(title)s”. "
                "Logga in, läs om uppdraget och svara om föreningen vill ta det:\n%(link)s\n"
            ) % {
                "user": editor.name,
                "site": site.name,
                "association": offer.association_name,
                "title": assignment.title,
                "link": link,
            }
        if notify(site, db, OFFER_NOTICE, Mail(editor.email, subject, body, lang), origin="samverkan") is not None:
            sent += 1
    return sent
