"""Sending the park's e-mails (personal links, reminders).

With ``smtp_host`` set, messages go to that relay. Without it they are
written as ``.eml`` files to ``<data folder>/odling-utkorg/`` so a small site
(or the demo) can see what would have gone out, and nothing leaves the
machine unasked. Without ``mail_from`` nothing is sent at all.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from core.api import Site, utcnow
from plugins.odling.web import settings_of

OUTBOX = "odling-utkorg"


def outbox(site: Site) -> Path:
    return site.data_dir / OUTBOX


def can_send(site: Site) -> bool:
    return bool(settings_of(site).mail_from)


def send(site: Site, to: str, subject: str, body: str) -> bool:
    """Send one plain-text message; False when mail is switched off or the
    address is empty."""
    settings = settings_of(site)
    if not settings.mail_from or not to:
        return False
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain=site.host)
    message.set_content(body)
    if settings.smtp_host:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=20) as smtp:
            smtp.send_message(message)
    else:
        folder = outbox(site)
        folder.mkdir(parents=True, exist_ok=True)
        name = message["Message-ID"].strip("<>").replace("@", "_").replace("/", "_")
        (folder / f"{name}.eml").write_bytes(bytes(message))
    return True
