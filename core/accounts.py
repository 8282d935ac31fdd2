"""Accounts: argon2 password hashing, authentication and login throttling."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlmodel import Session, col, delete, func, select

from core.i18n import gettext as _
from core.models import LoginFailure, Role, User, utcnow


@cache
def _hasher() -> PasswordHasher:
    """argon2id with the library's recommended parameters. The test suite
    sets ``PARAPLY_CHEAP_HASHING=1`` for the cheapest profile, as Django's
    tests swap in a fast hasher; never set it on a real site."""
    if os.environ.get("PARAPLY_CHEAP_HASHING") == "1":
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    return PasswordHasher()


#: Login throttling that cannot be turned against the account's owner.
#: Per client address: after ``IP_LIMIT`` failures within ``WINDOW`` that
#: address is refused without a password check until the window passes (the
#: address is the visitor's, as core.proxies decides, so it cannot be rotated).
#: Per account: after ``ACCOUNT_FAILURES`` failures within ``WINDOW`` the
#: account is never locked; each attempt is slowed down, and the right
#: password alone no longer signs in from a new browser: it takes a second
#: proof, a one-time link e-mailed to the owner, or a browser that has
#: signed in to the account before (core.auth's known-device cookie).
IP_LIMIT = 20
ACCOUNT_FAILURES = 5
WINDOW = timedelta(minutes=15)
#: Seconds of slow-down per failure beyond ``ACCOUNT_FAILURES``, and at most.
SLOWDOWN_STEP = 0.5
SLOWDOWN_MAX = 3.0
MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def normalise_email(email: str) -> str:
    return email.strip().lower()


def password_problem(password: str) -> str | None:
    """A Swedish explanation of why a password is too weak, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Lösenordet måste vara minst %(n)s tecken långt.") % {"n": MIN_PASSWORD_LENGTH}
    if password.strip() != password:
        return _("Lösenordet får inte börja eller sluta med mellanslag.")
    return None


def create_user(session: Session, email: str, name: str, password: str, role: Role = Role.EDITOR) -> User:
    user = User(email=normalise_email(email), name=name.strip(), password_hash=hash_password(password), role=role)
    session.add(user)
    session.flush()
    return user


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalise_email(email))).first()


@dataclass
class LoginResult:
    """What a login attempt came to. ``user`` is set when it signs in;
    ``proof_for`` when the password was right but the account is under
    attack and this browser is new (the caller e-mails a sign-in link);
    ``under_attack`` when the answer must not say whether the password was
    right; ``blocked`` when the client address has failed too often."""

    user: User | None = None
    proof_for: User | None = None
    under_attack: bool = False
    blocked: bool = False
    wait_minutes: int = 0
    delay: float = 0.0


def _failures_since(session: Session, since: datetime, **where: str) -> int:
    column, value = next(iter(where.items()))
    return int(
        session.exec(
            select(func.count())
            .select_from(LoginFailure)
            .where(getattr(LoginFailure, column) == value, col(LoginFailure.at) >= since)
        ).one()
    )


def authenticate(
    session: Session, email: str, password: str, ip: str, *, now: datetime, known_device: int | None = None
) -> LoginResult:
    """Check a login (see ``IP_LIMIT`` and ``ACCOUNT_FAILURES``). A refused
    address is refused without checking the password, so guessing gains
    nothing; an unknown address costs the same hashing as a known one, so
    timing does not tell which exist. Caller commits."""
    email = normalise_email(email)
    since = now - WINDOW
    session.exec(delete(LoginFailure).where(col(LoginFailure.at) < since))
    by_ip = _failures_since(session, since, ip=ip)
    if by_ip >= IP_LIMIT:
        oldest = session.exec(select(func.min(LoginFailure.at)).where(LoginFailure.ip == ip)).one()
        wait = WINDOW - (now - oldest) if oldest else WINDOW
        return LoginResult(blocked=True, wait_minutes=max(1, int(wait.total_seconds() // 60) + 1))
    by_email = _failures_since(session, since, email=email)
    under_attack = by_email >= ACCOUNT_FAILURES
    delay = min(SLOWDOWN_STEP * (by_email - ACCOUNT_FAILURES + 1), SLOWDOWN_MAX) if under_attack else 0.0
    user = get_user_by_email(session, email)
    verified = user is not None and user.is_active and user.password_hash.startswith("$")
    if user is None or not verified or not verify_password(user.password_hash, password):
        if not verified:
            hash_password(password)  # same cost either way: no account told apart by timing
        session.add(LoginFailure(email=email, ip=ip, at=now))
        return LoginResult(under_attack=under_attack, delay=delay)
    if under_attack and known_device != user.id:
        return LoginResult(proof_for=user, under_attack=True, delay=delay)
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    # The failures stay until they age out: the owner signing in from a known
    # browser does not give the guesser a fresh allowance.
    session.add(user)
    return LoginResult(user=user, delay=delay)


def delete_old_failures(session: Session, now: datetime) -> int:
    """The daily job's share: failures older than the window are of no use."""
    result = session.exec(delete(LoginFailure).where(col(LoginFailure.at) < now - WINDOW))
    return int(result.rowcount or 0)


def set_password(session: Session, user: User, password: str, keep_session: str | None = None) -> None:
    """Set a new password and end every session of the account but
    ``keep_session`` (the key of the browser that changed it)."""
    from core import sessions, tokens

    user.password_hash = hash_password(password)
    user.session_version += 1
    session.add(user)
    assert user.id is not None
    sessions.end_all(session, user.id, keep=keep_session)
    tokens.revoke_all(session, user.id, utcnow())  # a link in the mailbox opens nothing now


#: Stored for an account that has no password yet (an invitation not yet
#: accepted): argon2 cannot read it, so no password matches it.
NO_PASSWORD = "!"


def invited_ids(session: Session) -> set[int]:
    """The accounts whose invitation is not accepted yet: no password chosen
    and no provider identity linked (an account made by network sign-on has
    no password either, but is in use)."""
    from core.oidc.models import OidcIdentity  # core's own table, kept beside core.oidc

    linked = select(OidcIdentity.user_id)
    found = session.exec(select(User.id).where(User.password_hash == NO_PASSWORD, col(User.id).not_in(linked))).all()
    return {user_id for user_id in found if user_id is not None}


def is_invited(session: Session, user: User) -> bool:
    """True while ``user``'s invitation is not accepted (see ``invited_ids``)."""
    from core.oidc.models import OidcIdentity

    if user.password_hash != NO_PASSWORD or user.id is None:
        return False
    return session.exec(select(OidcIdentity.id).where(OidcIdentity.user_id == user.id)).first() is None


def create_invited_user(session: Session, email: str, name: str, role: Role = Role.EDITOR) -> User:
    """An account that signs in only once its owner has set a password
    through the invitation link (core.tokens)."""
    user = User(email=normalise_email(email), name=name.strip(), password_hash=NO_PASSWORD, role=role)
    session.add(user)
    session.flush()
    return user
