"""Core tables: accounts, login throttling, the daily jobs' runs and the mail
outbox. Plugins may point foreign keys at ``core_user`` but never alter core
tables."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Now, in UTC, timezone-aware (SQLModel stores aware datetimes)."""
    return datetime.now(UTC)


class Role(StrEnum):
    ADMIN = "admin"  # umbrella staff: runs the site
    EDITOR = "editor"  # association representative: edits linked associations
    #: No role: a signed-in person with their own pages (password, sign-ins,
    #: own data, their loans and sign-ups) and nothing to edit. An account
    #: made by network sign-on starts here; an admin grants a role.
    NONE = "none"


class User(SQLModel, table=True):
    __tablename__ = "core_user"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(max_length=120)
    password_hash: str = Field(max_length=255)
    role: str = Field(default=Role.EDITOR, max_length=16)
    is_active: bool = Field(default=True)
    # Bumped on password change so every other session is signed out.
    session_version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None
    # The language the person chose for the site ("sv", "en"); None: the site's default.
    locale: str | None = Field(default=None, max_length=8)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN and self.is_active


class LoginFailure(SQLModel, table=True):
    """One failed login. Rows older than the throttle window are pruned on
    every login attempt, so this holds minutes of data, not history."""

    __tablename__ = "core_login_failure"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    ip: str = Field(max_length=64, index=True)
    at: datetime = Field(default_factory=utcnow, index=True)


class DailyRun(SQLModel, table=True):
    """One day's run of one daily job (``core.daily``). A (job, day) pair is
    unique, so the worker that inserts it is the one that runs the job, however
    many serve the site. ``ok`` is None while it runs (or if it was cut off).
    Rows older than ``core.daily.KEEP_DAYS`` are deleted."""

    __tablename__ = "core_daily_run"
    __table_args__ = (UniqueConstraint("job", "day", name="uq_core_daily_run_job_day"),)

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=80)
    day: date = Field(index=True)
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    ok: bool | None = None
    summary: str = Field(default="", max_length=500)


class OutboxMessage(SQLModel, table=True):
    """One e-mail on its way out (``core.mail``). Written in the transaction
    that decided to send it, so a rollback sends nothing and a crash or a
    relay that is down loses nothing: the row stays until it is sent.
    ``claimed_until`` keeps two workers from sending the same row; after
    ``core.mail.MAX_ATTEMPTS`` failures ``failed_at`` is set and the row is
    kept for the admin to see (``paraply mail flush`` tries it again)."""

    __tablename__ = "core_outbox"

    id: int | None = Field(default=None, primary_key=True)
    to_address: str = Field(max_length=254)
    from_address: str = Field(default="", max_length=254)
    reply_to: str = Field(default="", max_length=254)
    subject: str = Field(max_length=300)
    body: str
    #: The language the message is written in ("sv", "en"): its Content-Language.
    language: str = Field(max_length=8)
    #: Which plugin (or "core") queued it, for the log and the admin.
    origin: str = Field(default="core", max_length=40)
    created_at: datetime = Field(default_factory=utcnow)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow, index=True)
    claimed_until: datetime | None = None
    sent_at: datetime | None = Field(default=None, index=True)
    failed_at: datetime | None = None
    last_error: str = Field(default="", max_length=500)
    #: The message's attachments as JSON (``core.mail.Attachment``: file
    #: name, content type, base64 data); "" for none.
    attachments: str = Field(default="")


class LoginSession(SQLModel, table=True):
    """One signed-in browser (``core.sessions``). The cookie carries only a
    random key; this row, found by the key's hash, is what makes the visitor
    signed in, so deleting it (logout, password change, deactivation, "log out
    everywhere") ends the session at once, whoever holds a copy of the
    cookie. Personal data with a deletion date: ``expires_at``, after which
    the daily job deletes the row."""

    __tablename__ = "core_session"

    id: int | None = Field(default=None, primary_key=True)
    #: SHA-256 of the cookie's key: a copy of the table signs nobody in.
    key_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="core_user.id", index=True, ondelete="CASCADE")
    #: The account's role when the key was issued: a change rotates the key.
    role: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    #: Updated at most once a minute (``core.sessions.TOUCH_EVERY``).
    last_seen_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)
    #: "Firefox", "Android": a summary, never the whole User-Agent.
    browser: str = Field(default="", max_length=40)
    platform: str = Field(default="", max_length=40)
    #: The network, not the address: 192.0.2.0/24, 2001:db8:1::/48.
    network: str = Field(default="", max_length=64)


class AccountToken(SQLModel, table=True):
    """A link sent by e-mail (``core.tokens``): password reset, invitation,
    one-time sign-in. The mail carries a random token; the row keeps its
    hash, its purpose, its expiry and when it was used, so a link works once
    and only until it expires. The daily job deletes expired rows."""

    __tablename__ = "core_account_token"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="core_user.id", index=True, ondelete="CASCADE")
    purpose: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)
    used_at: datetime | None = None


# OpenID Connect's tables are core tables too (core.oidc.models): imported
# here so that whatever registers core's tables registers them.
from core.oidc import models as _oidc_models  # noqa: E402,F401


class ContentVersion(SQLModel, table=True):
    """One row whose number goes up in every transaction that changes what a
    page can show (core.pagecache): the anonymous page cache of every
    worker and machine compares it before it answers from memory."""

    __tablename__ = "core_content_version"

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(default=0)
