"""Late bounces (issue 20): a relay takes a message, and hours later the
recipient's server sends back "no such user". The outbox (core.mail) sees
only what the relay says at once; this module reads what comes back later.

How a bounce finds its message: with ``[mail] bounce_address`` set
(``bounces@mockeln.example``), every message leaves with the envelope
sender ``bounces+b<outbox id>.<tag>@mockeln.example`` (VERP), where the tag
is an HMAC of the id with the site's secret key, so nobody can make up a
bounce that pauses an address they do not send to. Bounces come back to that
address; the mail server delivers them to ``paraply bounce --site NAME``
(a pipe alias, or ``--maildir`` for a mailbox it fills).

What the bounce says is read by flufl.bounce, GNU Mailman's detectors for
RFC 3464 delivery reports and the formats of the big mail servers: writing
those by hand would mean collecting their quirks again. A permanent failure
pauses the recipient's address at once (as newsletter services treat a hard
bounce), with the reason on ``/-/admin/e-post``, where an admin can resume
it; a delay ("will keep trying") changes nothing. A message that is not a
bounce (an auto-reply to the bounce address), or one whose tag does not
match, is ignored and said so.
"""

from __future__ import annotations

import mailbox
from dataclasses import dataclass
from email import message_from_bytes
from email.message import Message
from email.policy import compat32
from email.utils import getaddresses
from pathlib import Path

from flufl.bounce import all_failures

from core.bounce_address import outbox_id_of
from core.mail import record_late_bounce
from core.site import Site

#: Headers in which a receiving server names the address a bounce was sent to.
RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "To")


@dataclass(frozen=True)
class Outcome:
    """What became of one incoming message, for the command's output and logs."""

    kind: str  # "paused", "delayed", "not-a-bounce", "not-ours", "gone"
    address: str = ""
    detail: str = ""


def _tagged_id(site: Site, message: Message) -> int | None:
    for header in RECIPIENT_HEADERS:
        for _name, address in getaddresses(message.get_all(header, [])):
            found = outbox_id_of(site, address)
            if found is not None:
                return found
    return None


def handle(site: Site, raw: bytes) -> Outcome:
    """Read one message that arrived at the bounce address."""
    # compat32: flufl.bounce walks the parts with the classic Message API.
    message = message_from_bytes(raw, policy=compat32)
    outbox_id = _tagged_id(site, message)
    if outbox_id is None:
        return Outcome("not-ours", detail="ingen giltig studsadress med märkning")
    temporary, permanent = all_failures(message)
    if not permanent:
        return Outcome("delayed" if temporary else "not-a-bounce")
    reported = ", ".join(sorted(address.decode("ascii", "replace") for address in permanent))
    address = record_late_bounce(site, outbox_id, f"Studsade i efterhand: {reported}"[:500])
    if address is None:
        return Outcome("gone", detail=f"utkorgens brev {outbox_id} finns inte längre")
    return Outcome("paused", address=address, detail=reported)


def handle_maildir(site: Site, folder: Path) -> list[Outcome]:
    """Read every message in a Maildir and remove each once handled (one
    whose handling fails, the database being down, stays for the next run)."""
    box = mailbox.Maildir(folder, factory=None, create=False)
    outcomes = []
    for key in list(box.iterkeys()):
        with box.get_file(key) as handle_file:
            raw = handle_file.read()
        outcomes.append(handle(site, raw))
        box.remove(key)
    return outcomes
