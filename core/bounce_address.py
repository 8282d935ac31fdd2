"""The signed envelope sender by which a late bounce finds its message
(VERP; core.bounces explains the whole). Apart from core.bounces because
the outbox (core.mail) needs it to send, and core.bounces needs the outbox."""

from __future__ import annotations

import hashlib
import hmac
import re

from core.site import Site

#: ``b<outbox id>.<16 hex of the HMAC>`` after the ``+`` of the bounce address.
TAG = re.compile(r"^b(\d{1,18})\.([0-9a-f]{16})$")


def _tag(site: Site, outbox_id: int) -> str:
    digest = hmac.new(site.secret_key.encode(), f"bounce:{outbox_id}".encode(), hashlib.sha256).hexdigest()
    return f"b{outbox_id}.{digest[:16]}"


def envelope_sender(site: Site, outbox_id: int) -> str:
    """The envelope sender for outbox message ``outbox_id``: the bounce
    address with its signed tag, or "" (the From) when none is set."""
    address = site.config.mail.bounce_address
    if not address:
        return ""
    local, _at, domain = address.partition("@")
    return f"{local}+{_tag(site, outbox_id)}@{domain}"


def outbox_id_of(site: Site, address: str) -> int | None:
    """The outbox id in a tagged bounce address, if its tag is this site's."""
    bounce = site.config.mail.bounce_address
    if not bounce:
        return None
    local, _at, domain = address.strip().strip("<>").partition("@")
    base, plus, tag = local.partition("+")
    expected_local, _at, expected_domain = bounce.partition("@")
    if not plus or base.lower() != expected_local.lower() or domain.lower() != expected_domain.lower():
        return None
    match = TAG.match(tag.lower())
    if match is None:
        return None
    outbox_id = int(match.group(1))
    return outbox_id if hmac.compare_digest(_tag(site, outbox_id), match.group(0)) else None
