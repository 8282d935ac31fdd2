"""A rate limit on sign-ups by e-mail, per visitor: each one mails a
confirmation link to an address the visitor typed, so without a limit a
script could mail the whole town from one form.

Counted by the client address as core's login throttle counts it
(``throttle_key``: an IPv4 address, an IPv6 /64), on the site's clock, in
the database (``SignUpAttempt``): a sliding hour that every worker shares.
The address itself is not stored, only a keyed hash of it, and each row is
deleted once it is an hour old.

Each attempt is written (and committed) before it is counted, so two
sign-ups at the same moment from one address each see the other's row once
both are written: together they never get past the limit by more than the
few that are in flight at that very instant.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import col, select
from starlette.requests import Request

from core.api import Site, throttle_key
from plugins.evenemang.registration_models import SignUpAttempt

WINDOW = timedelta(hours=1)


def client_hash(site: Site, key: str) -> str:
    """The visitor's throttle key, hashed with the site's secret: the same
    for one visitor, and not the address."""
    return hmac.new(site.secret_key.encode(), f"sign-up:{key}".encode(), hashlib.sha256).hexdigest()


def forget_old_attempts(site: Site, now: datetime) -> None:
    """Delete the attempts older than the hour (the daily job's sweep)."""
    with site.session() as db:
        db.exec(delete(SignUpAttempt).where(col(SignUpAttempt.at) <= now.astimezone(UTC) - WINDOW))
        db.commit()


def allow_sign_up(site: Site, request: Request, limit: int) -> bool:
    """Count one sign-up by e-mail for this visitor, and say whether it is
    within ``limit`` an hour (attempts over the limit are counted too)."""
    host = request.client.host if request.client else ""
    client = client_hash(site, throttle_key(host))
    now = site.clock.now().astimezone(UTC)
    with site.session() as db:
        db.exec(delete(SignUpAttempt).where(col(SignUpAttempt.at) <= now - WINDOW))
        db.add(SignUpAttempt(client=client, at=now))
        db.commit()
        count = db.exec(
            select(func.count())
            .select_from(SignUpAttempt)
            .where(SignUpAttempt.client == client, col(SignUpAttempt.at) > now - WINDOW)
        ).one()
    return int(count) <= limit
