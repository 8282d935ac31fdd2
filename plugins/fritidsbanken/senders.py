"""Pluggable senders for text messages and e-mail.

A sender is any object with ``send(message: Outgoing) -> None`` that raises
``SendError`` when a message could not be handed over. The setting
``sender`` chooses one:

- ``"log"``: writes each message to the ``paraply.fritidsbanken.sender`` log
  and keeps it in the message table. For the demo and tests; nothing leaves
  the machine.
- ``"smtp"``: e-mail over SMTP (``smtp_host``, ``smtp_port``,
  ``smtp_starttls``, ``smtp_username``, ``smtp_from``; the password from
  ``PARAPLY_SMTP_PASSWORD``). Text messages go to an e-mail-to-SMS gateway
  when ``sms_gateway`` is set, e.g. ``"{number}@sms.example.se"``.
- ``"package.module:factory"``: ``factory(settings)`` returns your own sender,
  e.g. one for an SMS provider's HTTP API.
"""

from __future__ import annotations

import importlib
import logging
import os
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

from plugins.fritidsbanken.settings import FritidsbankenSettings

log = logging.getLogger("paraply.fritidsbanken.sender")


@dataclass(frozen=True)
class Outgoing:
    channel: str  # "sms" or "email"
    recipient: str  # +46701234567 or an e-mail address
    subject: str
    body: str


class SendError(Exception):
    """A message could not be handed to its carrier."""


class Sender(Protocol):
    def send(self, message: Outgoing) -> None: ...


class LogSender:
    """Writes messages to the log instead of sending them.

    In the demo this is how a visitor gets the one-time code for "Mina lån",
    so the messages must reach the console even when the server configured
    no logging of its own (uvicorn sets up only its own loggers)."""

    def __init__(self) -> None:
        if not log.handlers:
            handler = logging.StreamHandler()
            handler.setFormatter(logging.Formatter("[Fritidsbanken, skickas inte] %(message)s"))
            log.addHandler(handler)
            log.setLevel(logging.INFO)

    def send(self, message: Outgoing) -> None:
        log.info("%s till %s: %s", message.channel, message.recipient, message.body)


class SmtpSender:
    """E-mail over SMTP; text messages through an e-mail-to-SMS gateway."""

    def __init__(self, settings: FritidsbankenSettings, password: str | None = None) -> None:
        self.settings = settings
        self.password = password if password is not None else os.environ.get("PARAPLY_SMTP_PASSWORD", "")

    def address_for(self, message: Outgoing) -> str:
        if message.channel == "email":
            return message.recipient
        if not self.settings.sms_gateway:
            raise SendError("inget sms_gateway är inställt, så sms kan inte skickas")
        return self.settings.sms_gateway.replace("{number}", message.recipient.lstrip("+"))

    def send(self, message: Outgoing) -> None:
        mail = EmailMessage()
        mail["From"] = self.settings.smtp_from
        mail["To"] = self.address_for(message)
        mail["Subject"] = message.subject
        mail.set_content(message.body)
        s = self.settings
        try:
            with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=20) as smtp:
                if s.smtp_starttls:
                    smtp.starttls()
                if s.smtp_username:
                    smtp.login(s.smtp_username, self.password)
                smtp.send_message(mail)
        except (OSError, smtplib.SMTPException) as exc:
            raise SendError(str(exc)) from exc


def make_sender(settings: FritidsbankenSettings) -> Sender:
    if settings.sender == "log":
        return LogSender()
    if settings.sender == "smtp":
        return SmtpSender(settings)
    module_name, _, attr = settings.sender.partition(":")
    factory = getattr(importlib.import_module(module_name), attr)
    return factory(settings)  # type: ignore[no-any-return]
