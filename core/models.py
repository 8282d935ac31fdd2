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


# OpenID Connect's tables are core tables too (core.oidc.models): imported
# here so that whatever registers core's tables registers them.
from core.oidc import models as _oidc_models  # noqa: E402,F401
