"""Hourly limits on the public booking request form, beyond the double
click: each request mails a receipt to an address the visitor typed and
lands in the staff's queue, so without a limit a script could fill both.

Counted per visitor (the client address as core's login throttle counts it,
``throttle_key``: an IPv4 address, an IPv6 /64; behind a proxy the address
core's middleware took from a trusted proxy) and per e-mail address, on the
site's clock, in the database (``RequestAttempt``): a sliding hour every
worker shares. Only keyed hashes are stored, and each row is deleted once it
is an hour old. Each attempt is committed before it is counted, so requests
at the same moment see each other's rows.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import col, select
from starlette.requests import Request

from core.api import Site, throttle_key
from plugins.lokaler.models import RequestAttempt

WINDOW = timedelta(hours=1)


def _hash(site: Site, kind: str, value: str) -> str:
    return hmac.new(site.secret_key.encode(), f"lokaler-{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def forget_old_attempts(site: Site, now: datetime) -> int:
    """Delete the attempts older than the hour (the daily job's sweep)."""
    with site.session() as db:
        result = db.exec(delete(RequestAttempt).where(col(RequestAttempt.at) <= now.astimezone(UTC) - WINDOW))
        db.commit()
    return int(getattr(result, "rowcount", 0) or 0)


def allow_request(site: Site, request: Request, email: str, limit: int) -> bool:
    """Count one request from this visitor for ``email``, and say whether
    both stay within ``limit`` an hour (attempts over it are counted too)."""
    host = request.client.host if request.client else ""
    client = _hash(site, "client", throttle_key(host))
    address = _hash(site, "email", email.strip().lower())
    now = site.clock.now().astimezone(UTC)
    with site.session() as db:
        db.exec(delete(RequestAttempt).where(col(RequestAttempt.at) <= now - WINDOW))
        db.add(RequestAttempt(client=client, email=address, at=now))
        db.commit()
        recent = col(RequestAttempt.at) > now - WINDOW
        by_client = db.exec(
            select(func.count()).select_from(RequestAttempt).where(RequestAttempt.client == client, recent)
        ).one()
        by_email = db.exec(
            select(func.count()).select_from(RequestAttempt).where(RequestAttempt.email == address, recent)
        ).one()
    return int(by_client) <= limit and int(by_email) <= limit
