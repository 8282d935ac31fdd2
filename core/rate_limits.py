"""Rate limits on what anyone may send ("at most so many an hour per visitor
and per e-mail address"), counted in the database, so that every worker
process, and every machine on one database, shares one count: a count in
memory would let each worker allow the whole limit.

A limit is named by its ``scope`` (``"evenemang-sign-up"``) and counts by
one or more keys (``{"client": throttle_key(host), "email": address}``); an
attempt is allowed while every key stays within the limit. Only a keyed
hash of each key is stored (HMAC-SHA256 under the site's secret key, with
the scope and the key's name), never the address or the e-mail, and the
same visitor hashes differently in two limits. The window slides on the
site's clock (``site.clock``). Each row carries the end of its window
(``expires_at``): a key's expired rows are deleted when that key is counted
again, the rest by the daily job (``forget_expired``, in core's daily jobs).

Each attempt is written and committed before it is counted, so requests at
the same moment, in any worker, see each other's rows once both are
written: together they never get past the limit by more than the few in
flight at that very instant. Attempts over the limit are counted too, so a
script that keeps trying stays refused until it has paused for a window.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, func
from sqlmodel import col, select

from core.models import RateLimitHit

if TYPE_CHECKING:
    from core.site import Site


def key_hash(site: Site, scope: str, name: str, value: str) -> str:
    """What is stored for one key: the same for the same visitor in one
    limit, and neither the value nor linkable to another limit's rows."""
    message = f"{scope}\x00{name}\x00{value}".encode()
    return hmac.new(site.secret_key.encode(), message, hashlib.sha256).hexdigest()


def within_limit(site: Site, scope: str, keys: Mapping[str, str], limit: int, window: timedelta) -> bool:
    """Count one attempt in the limit ``scope`` for each of ``keys`` (name →
    value, e.g. ``{"client": throttle_key(host)}``), and say whether every
    key has made at most ``limit`` attempts within the last ``window`` on the
    site's clock, this one included. Call it only for an attempt that would
    otherwise be taken (a form that passed its checks), once per attempt."""
    if not keys:
        raise ValueError("a rate limit counts by at least one key")
    if window <= timedelta(0):
        raise ValueError("a rate limit's window must be positive")
    now = site.clock.now().astimezone(UTC)
    hashes = [key_hash(site, scope, name, value) for name, value in keys.items()]
    ours = (col(RateLimitHit.scope) == scope, col(RateLimitHit.key).in_(hashes))
    with site.session() as db:
        db.exec(delete(RateLimitHit).where(*ours, col(RateLimitHit.expires_at) <= now))
        db.add_all(RateLimitHit(scope=scope, key=h, at=now, expires_at=now + window) for h in hashes)
        db.commit()  # before counting: concurrent attempts see each other
        counts = dict(
            db.exec(
                select(RateLimitHit.key, func.count())
                .where(*ours, col(RateLimitHit.at) > now - window)
                .group_by(col(RateLimitHit.key))
            ).all()
        )
    return all(counts.get(h, 0) <= limit for h in hashes)


def forget_expired(site: Site, now: datetime) -> int:
    """Delete every attempt whose window ended by ``now`` (the daily job);
    returns how many went."""
    with site.session() as db:
        result = db.exec(delete(RateLimitHit).where(col(RateLimitHit.expires_at) <= now.astimezone(UTC)))
        db.commit()
    return int(getattr(result, "rowcount", 0) or 0)
