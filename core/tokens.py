"""Links sent by e-mail that act for an account: password reset,
invitation, one-time sign-in.

A link carries a random token (256 bits); the table keeps only its hash,
with its purpose, its expiry (``site.clock``) and when it was used. So a
link works once, only for what it was made for, and only until it expires;
a copy of the table opens nothing. The daily job deletes expired rows.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel import Session, col, delete, select, update

from core.models import AccountToken, User


class Purpose(StrEnum):
    RESET = "reset"
    INVITE = "invite"
    SIGN_IN = "signin"


#: How long each kind of link works.
LIFETIMES = {
    Purpose.RESET: timedelta(hours=2),
    Purpose.INVITE: timedelta(days=7),
    Purpose.SIGN_IN: timedelta(minutes=20),
}

#: Longest token accepted from a URL (ours are 43 characters): longer is junk.
MAX_TOKEN_LENGTH = 100


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(db: Session, user: User, purpose: Purpose, now: datetime) -> str:
    """A new link token for ``user``; returns the token for the URL."""
    assert user.id is not None
    token = secrets.token_urlsafe(32)
    db.add(
        AccountToken(
            token_hash=_hash(token),
            user_id=user.id,
            purpose=purpose,
            created_at=now,
            expires_at=now + LIFETIMES[purpose],
        )
    )
    db.flush()
    return token


def valid(db: Session, token: str, purpose: Purpose, now: datetime) -> AccountToken | None:
    """The unused, unexpired token row for ``purpose``, or None."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    row = db.exec(select(AccountToken).where(AccountToken.token_hash == _hash(token))).first()
    if row is None or row.purpose != purpose or row.used_at is not None or row.expires_at <= now:
        return None
    return row


def use(db: Session, row: AccountToken, now: datetime) -> bool:
    """Spend a token, and every other unused one of the same purpose for the
    account (an older reset link is no good once the password is set).

    False if another request spent it first: the check in ``valid`` and this
    write are apart, so the write itself asks that the link is still unused
    (two clicks at once on a sign-in link must not sign in twice)."""
    spent = db.exec(
        update(AccountToken)
        .where(col(AccountToken.id) == row.id, col(AccountToken.used_at).is_(None))
        .values(used_at=now)
    )
    if spent.rowcount != 1:
        return False
    db.exec(
        update(AccountToken)
        .where(
            col(AccountToken.user_id) == row.user_id,
            col(AccountToken.purpose) == row.purpose,
            col(AccountToken.used_at).is_(None),
        )
        .values(used_at=now)
    )
    return True


def revoke_all(db: Session, user_id: int, now: datetime) -> None:
    """Spend every unused link of an account: its password or e-mail address
    changed, so a link in an old mailbox must open nothing."""
    db.exec(
        update(AccountToken)
        .where(col(AccountToken.user_id) == user_id, col(AccountToken.used_at).is_(None))
        .values(used_at=now)
    )


def delete_expired(db: Session, now: datetime) -> int:
    result = db.exec(delete(AccountToken).where(col(AccountToken.expires_at) <= now))
    return int(result.rowcount or 0)
