"""Server-side sessions: a row per signed-in browser (``LoginSession``).

The signed Starlette cookie still carries the language, the flash messages
and the CSRF state, and a random key (``sid``) naming the session row; the
row, not the cookie, makes the visitor signed in. So a session really ends
when its row goes: at logout, at a password change (every other one),
when an account is closed, when an admin logs a person out everywhere, and
when "Mina inloggningar" ends one. A copied cookie stops working then.

The key rotates at login and whenever the account's role changes (the row
remembers the role it was issued for), so a key seen before a privilege
change is worth nothing after it.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import bindparam
from sqlmodel import Session, col, delete, select

from core.models import ContentVersion, LoginSession, User
from core.proxies import network_of

SID = "sid"
#: A session not used for this long ends (and the daily job deletes its row).
LIFETIME = timedelta(days=14)
#: "Last seen" is written at most this often: not one write per page.
TOUCH_EVERY = timedelta(minutes=1)

#: (name, pattern) in the order to try: Edge and Opera also say "Chrome",
#: Chrome also says "Safari".
_BROWSERS = [
    ("Edge", r"Edg(e|A|iOS)?/"),
    ("Opera", r"OPR/|Opera"),
    ("Samsung Internet", r"SamsungBrowser/"),
    ("Firefox", r"Firefox/|FxiOS/"),
    ("Chrome", r"Chrome/|CriOS/"),
    ("Safari", r"Safari/"),
]
_PLATFORMS = [
    ("Android", r"Android"),
    ("iPhone", r"iPhone"),
    ("iPad", r"iPad"),
    ("Windows", r"Windows"),
    ("macOS", r"Mac OS X|Macintosh"),
    ("ChromeOS", r"CrOS"),
    ("Linux", r"Linux"),
]


def summarise_user_agent(user_agent: str) -> tuple[str, str]:
    """("Firefox", "Android") from a User-Agent header; "" for what is not
    recognised. Only the summary is kept: the full header is close to a
    fingerprint."""
    browser = next((name for name, pattern in _BROWSERS if re.search(pattern, user_agent)), "")
    platform = next((name for name, pattern in _PLATFORMS if re.search(pattern, user_agent)), "")
    return browser, platform


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start(db: Session, user: User, now: datetime, user_agent: str, host: str) -> str:
    """A new session row for ``user``; returns the key for the cookie."""
    assert user.id is not None
    key = secrets.token_urlsafe(32)
    browser, platform = summarise_user_agent(user_agent)
    db.add(
        LoginSession(
            key_hash=key_hash(key),
            user_id=user.id,
            role=user.role,
            created_at=now,
            last_seen_at=now,
            expires_at=now + LIFETIME,
            browser=browser,
            platform=platform,
            network=network_of(host),
        )
    )
    db.flush()
    return key


#: Built once: it runs on every signed-in request, and building the select
#: cost more than running it from SQLAlchemy's compiled cache (a third of
#: ``session_user`` in a py-spy profile of the Fritidsbanken counter).
_FIND = (
    select(LoginSession, User)
    .outerjoin(User, col(User.id) == col(LoginSession.user_id))
    .where(col(LoginSession.key_hash) == bindparam("key_hash"))
)
#: The same, with the site's content version (core.pagecache) in the same
#: statement: a signed-in page needs both (core.memo), in one round trip.
_FIND_WITH_VERSION = (
    select(LoginSession, User, select(ContentVersion.version).where(col(ContentVersion.id) == 1).scalar_subquery())
    .outerjoin(User, col(User.id) == col(LoginSession.user_id))
    .where(col(LoginSession.key_hash) == bindparam("key_hash"))
)


def find(db: Session, key: str, now: datetime) -> tuple[LoginSession, User | None] | None:
    """The live session a cookie's key names and its account (None if the
    account is gone), or None. One statement: it runs on every signed-in
    request."""
    found = db.exec(_FIND, params={"key_hash": key_hash(key)}).first()
    if found is None or found[0].expires_at <= now:
        return None
    return found[0], found[1]


def find_with_version(
    db: Session, key: str, now: datetime
) -> tuple[tuple[LoginSession, User | None] | None, int | None]:
    """``find``, and the content version read in the same statement (None
    when there is no session row to read it with)."""
    found = db.exec(_FIND_WITH_VERSION, params={"key_hash": key_hash(key)}).first()
    if found is None:
        return None, None
    version = int(found[2]) if found[2] is not None else None
    if found[0].expires_at <= now:
        return None, version
    return (found[0], found[1]), version


def rotate(db: Session, row: LoginSession, user: User, now: datetime) -> str:
    """Replace the session's key (and the role it is for), keeping when it
    started and where from; returns the new key."""
    key = secrets.token_urlsafe(32)
    row.key_hash = key_hash(key)
    row.role = user.role
    row.last_seen_at, row.expires_at = now, now + LIFETIME
    db.add(row)
    return key


def touch_due(row: LoginSession, now: datetime) -> bool:
    """Whether the session's use should be noted now (once a ``TOUCH_EVERY``)."""
    return now - row.last_seen_at >= TOUCH_EVERY


def touch(db: Session, row: LoginSession, now: datetime) -> None:
    """Note that the session was used, at most once a ``TOUCH_EVERY``."""
    if touch_due(row, now):
        row.last_seen_at, row.expires_at = now, now + LIFETIME
        db.add(row)


def end(db: Session, key: str) -> None:
    db.exec(delete(LoginSession).where(col(LoginSession.key_hash) == key_hash(key)))


def end_all(db: Session, user_id: int, keep: str | None = None) -> int:
    """End every session of an account (but ``keep``'s); returns how many."""
    query = delete(LoginSession).where(col(LoginSession.user_id) == user_id)
    if keep:
        query = query.where(col(LoginSession.key_hash) != key_hash(keep))
    return int(db.exec(query).rowcount or 0)


def of_user(db: Session, user_id: int, now: datetime) -> list[LoginSession]:
    """An account's live sessions, most recently used first."""
    return list(
        db.exec(
            select(LoginSession)
            .where(LoginSession.user_id == user_id, col(LoginSession.expires_at) > now)
            .order_by(col(LoginSession.last_seen_at).desc(), col(LoginSession.id).desc())
        ).all()
    )


def delete_expired(db: Session, now: datetime) -> int:
    return int(db.exec(delete(LoginSession).where(col(LoginSession.expires_at) <= now)).rowcount or 0)
