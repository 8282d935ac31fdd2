"""The two ways mail leaves a site: an SMTP relay, or .eml files.

A sender takes a finished ``EmailMessage`` and raises ``SendError`` when it
could not hand it over; the outbox (``core.mail``) keeps the message and
tries again later. Which one a site uses is ``[mail] sender`` in site.toml.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from core.settings import MailSection

#: The relay's password comes from here, never from site.toml.
PASSWORD_VARIABLE = "PARAPLY_SMTP_PASSWORD"


class SendError(Exception):
    """A message could not be handed to the relay (or written).
    ``permanent``: the relay refused it for good (a 5xx answer: no such
    mailbox), a bounce the outbox records against the address and does not
    try again. ``recipient``: the relay refused this recipient (not a relay
    that is down), so the failure counts against the address."""

    def __init__(self, message: str, *, permanent: bool = False, recipient: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.recipient = recipient


class Sender(Protocol):
    def send(self, message: EmailMessage, envelope_from: str = "") -> None:
        """Hand over ``message``; ``envelope_from`` is the SMTP envelope's
        sender (where bounces go: core.bounces), default the From."""

    def close(self) -> None: ...


class SmtpSender:
    """Hands messages to an SMTP relay: STARTTLS (587), implicit TLS (465)
    or plain for a relay on the same machine; logs in when ``user`` is set.
    ``tls_context`` is for tests that trust their own certificate."""

    def __init__(
        self, settings: MailSection, password: str | None = None, tls_context: ssl.SSLContext | None = None
    ) -> None:
        self.settings = settings
        self.password = password if password is not None else os.environ.get(PASSWORD_VARIABLE, "")
        self.tls_context = tls_context or ssl.create_default_context()
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.security == "tls":
            return smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout_seconds, context=self.tls_context)
        smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds)
        if s.security == "starttls":
            try:
                smtp.starttls(context=self.tls_context)
            except BaseException:
                smtp.close()  # the with-block that would close it has not begun
                raise
        return smtp

    def send(self, message: EmailMessage, envelope_from: str = "") -> None:
        """Send over the open connection (one is opened and logged in on
        first use, and kept for the next message until ``close``: a
        newsletter does not open ten thousand connections)."""
        try:
            if self._smtp is None:
                smtp = self._connect()
                try:
                    if self.settings.user:
                        smtp.login(self.settings.user, self.password)
                except BaseException:
                    smtp.close()
                    raise
                self._smtp = smtp
            self._smtp.send_message(message, from_addr=envelope_from or None)
        except smtplib.SMTPRecipientsRefused as exc:
            self._reset()
            codes = [code for code, _text in exc.recipients.values()]
            permanent = all(c >= 500 for c in codes)
            raise SendError(f"SMTPRecipientsRefused: {exc.recipients}", permanent=permanent, recipient=True) from exc
        except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
            self._reset()
            raise SendError(f"{type(exc).__name__}: {exc}", permanent=exc.smtp_code >= 500) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise SendError(f"{type(exc).__name__}: {exc}") from exc

    def _reset(self) -> None:
        """After a refused message the connection stays usable once reset."""
        if self._smtp is None:
            return
        try:
            self._smtp.rset()
        except (OSError, smtplib.SMTPException):
            self.close()

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


class FileSender:
    """Writes each message to ``folder/<Message-ID>.eml``, so a demo or a
    developer sees what would have gone out and nothing leaves the machine."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: EmailMessage, envelope_from: str = "") -> None:
        if envelope_from:  # as the receiving server would write it
            message["Return-Path"] = f"<{envelope_from}>"
        name = str(message["Message-ID"]).strip("<>").replace("@", "_").replace("/", "_")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / f"{name}.eml").write_bytes(bytes(message))
        except OSError as exc:
            raise SendError(str(exc)) from exc

    def close(self) -> None:
        """Nothing is held open between files."""
