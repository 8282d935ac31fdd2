"""Accounts: argon2 password hashing, authentication and login throttling."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
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


#: After this many failures for one e-mail address (or from one address)
#: within the window, further attempts are refused until the window passes.
MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
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
    user: User | None = None
    throttled: bool = False
    wait_minutes: int = 0


def _recent_failures(session: Session, email: str, ip: str) -> tuple[int, int]:
    since = utcnow() - WINDOW
    by_email = session.exec(
        select(func.count()).select_from(LoginFailure).where(LoginFailure.email == email, LoginFailure.at >= since)
    ).one()
    by_ip = session.exec(
        select(func.count()).select_from(LoginFailure).where(LoginFailure.ip == ip, LoginFailure.at >= since)
    ).one()
    return by_email, by_ip


def authenticate(session: Session, email: str, password: str, ip: str) -> LoginResult:
    """Check a login. Throttles per e-mail address and per client address;
    a throttled attempt is refused without checking the password, so guessing
    gains nothing. Caller commits."""
    email = normalise_email(email)
    session.exec(delete(LoginFailure).where(col(LoginFailure.at) < utcnow() - WINDOW))
    by_email, by_ip = _recent_failures(session, email, ip)
    if by_email >= MAX_FAILURES or by_ip >= MAX_FAILURES * 4:
        oldest = session.exec(
            select(func.min(LoginFailure.at)).where((LoginFailure.email == email) | (LoginFailure.ip == ip))
        ).one()
        wait = WINDOW - (utcnow() - oldest) if oldest else WINDOW
        return LoginResult(throttled=True, wait_minutes=max(1, int(wait.total_seconds() // 60) + 1))
    user = get_user_by_email(session, email)
    if user is None or not user.is_active or not verify_password(user.password_hash, password):
        if user is None:
            hash_password(password)  # same cost either way: no user enumeration by timing
        session.add(LoginFailure(email=email, ip=ip))
        return LoginResult()
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    session.exec(delete(LoginFailure).where(col(LoginFailure.email) == email))
    session.add(user)
    return LoginResult(user=user)


def set_password(session: Session, user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    user.session_version += 1
    session.add(user)
