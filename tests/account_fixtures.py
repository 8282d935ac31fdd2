"""Helpers for the account tests: mail that arrives through the real SMTP
server (the outbox worker sends it from its own thread, moments after the
commit) and the link a message carries."""

from __future__ import annotations

import re
import time
from email.message import EmailMessage

from core.testing import SmtpInbox


def wait_for_mail(inbox: SmtpInbox, count: int = 1, seconds: float = 10) -> list[EmailMessage]:
    """The inbox once it holds ``count`` messages (fails after ``seconds``)."""
    deadline = time.monotonic() + seconds
    while len(inbox.messages) < count:
        assert time.monotonic() < deadline, f"{len(inbox.messages)} of {count} messages arrived"
        time.sleep(0.02)
    return inbox.messages


def link_in(message: EmailMessage, path: str) -> str:
    """The site-relative path of the link to ``path`` in a message's text."""
    found = re.search(r"https?://[^/\s]+(" + re.escape(path) + r"\S+)", message.get_content())
    assert found, f"no {path} link in: {message.get_content()}"
    return found.group(1)
