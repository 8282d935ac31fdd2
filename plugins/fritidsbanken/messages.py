"""Messages to borrowers: worded here, sent through the configured sender
(with ``sender = "mail"``: queued in the site's outbox in the same transaction),
and recorded in ``fritidsbanken_message`` so the counter can see what went out.

A child without a mobile number is reached through the guardian's. E-mail
goes out as well when the borrower gave an address.

Messages are worded in the site's language (Swedish), never the language of
the page that caused them: the recipient's language is unknown, and a
message sent from the counter or the daily job must read the same.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session

from core.api import N_, Mail, Site, queue_mail
from plugins.fritidsbanken.models import Borrower, Message
from plugins.fritidsbanken.senders import Outgoing, SendError, mail_address, make_sender
from plugins.fritidsbanken.settings import FritidsbankenSettings

PLUGIN = "fritidsbanken"
log = logging.getLogger("paraply.fritidsbanken")
#: Kept instead of a one-time code's text; a Swedish msgid, translated where the counter shows it.
CODE_PLACEHOLDER = N_("(engångskod)")


def greeting(borrower: Borrower) -> str:
    """How a message opens: to the borrower, or to the guardian whose phone
    gets a child's messages, naming the child."""
    if borrower.mobile or not borrower.guardian_mobile:
        return f"Hej {_first(borrower.name)}!"
    return f"Hej {_first(borrower.guardian_name)}! Det gäller {borrower.name}."


def _first(name: str) -> str:
    return name.split()[0] if name.strip() else ""


def send_to_number(
    db: Session, site: Site, number: str, kind: str, subject: str, body: str, borrower_id: int | None = None
) -> bool:
    """Send one text message to a number (used for one-time codes)."""
    ok = _deliver(db, site, Outgoing("sms", number, subject, body))
    db.add(
        Message(
            borrower_id=borrower_id,
            kind=kind,
            channel="sms",
            recipient=number,
            body=body if kind != "code" else CODE_PLACEHOLDER,
            ok=ok,
            created_at=site.clock.now(),
        )
    )
    return ok


def send_to_borrower(
    db: Session, site: Site, borrower: Borrower, kind: str, subject: str, body: str, loan_id: int | None = None
) -> bool:
    """Text message to the borrower's (or guardian's) mobile, and e-mail if
    the borrower gave an address. True if at least one went out."""
    outgoing = []
    if borrower.contact_mobile:
        outgoing.append(Outgoing("sms", borrower.contact_mobile, subject, body))
    if borrower.email:
        outgoing.append(Outgoing("email", borrower.email, subject, body))
    sent_any = False
    now: datetime = site.clock.now()
    for message in outgoing:
        ok = _deliver(db, site, message)
        sent_any = sent_any or ok
        db.add(
            Message(
                borrower_id=borrower.id,
                loan_id=loan_id,
                kind=kind,
                channel=message.channel,
                recipient=message.recipient,
                body=body,
                ok=ok,
                created_at=now,
            )
        )
    return sent_any


def _deliver(db: Session, site: Site, message: Outgoing) -> bool:
    settings: FritidsbankenSettings = site.plugin_settings(PLUGIN)
    try:
        if settings.sender == "mail":
            mail = Mail(mail_address(settings, message), message.subject, message.body, site.locale, settings.mail_from)
            queue_mail(site, mail, db, origin=PLUGIN)
        else:
            make_sender(settings).send(message)
    except SendError as exc:
        log.warning("Kunde inte skicka %s till %s: %s", message.channel, message.recipient, exc)
        return False
    return True
