"""How Fritidsbanken's text messages and e-mails leave. The setting
``sender`` chooses:

- ``"log"``: writes each message to the ``paraply.fritidsbanken.sender`` log
  and keeps it in the message table. For the demo and tests; nothing leaves
  the machine.
- ``"mail"`` (``"smtp"`` is the older name): e-mail through the site's mailer
  (``core.api.queue_mail``: the outbox, then SMTP or .eml files as ``[mail]``
  in site.toml says). Text messages go to an e-mail-to-SMS gateway when
  ``sms_gateway`` is set, e.g. ``"{number}@sms.example.se"``.
- ``"package.module:factory"``: ``factory(settings)`` returns your own sender
  (any object with ``send(message: Outgoing)`` that raises ``SendError``),
  e.g. one for an SMS provider's HTTP API.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
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


def mail_address(settings: FritidsbankenSettings, message: Outgoing) -> str:
    """Where a message goes as e-mail: the address, or the SMS gateway's
    address for a number."""
    if message.channel == "email":
        return message.recipient
    if not settings.sms_gateway:
        raise SendError("inget sms_gateway är inställt, så sms kan inte skickas")
    return settings.sms_gateway.replace("{number}", message.recipient.lstrip("+"))


def make_sender(settings: FritidsbankenSettings) -> Sender:
    """The log sender or your own; ``"mail"`` is handled by the caller,
    which queues in its own transaction (``messages``)."""
    if settings.sender == "log":
        return LogSender()
    module_name, _, attr = settings.sender.partition(":")
    factory = getattr(importlib.import_module(module_name), attr)
    return factory(settings)  # type: ignore[no-any-return]
