"""Core tables: accounts, login throttling, rate limits, the daily jobs'
runs and the mail outbox. Plugins may point foreign keys at ``core_user``
but never alter core tables."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint, text
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


class RateLimitHit(SQLModel, table=True):
    """One counted attempt for an hourly (or other) limit (``core.rate_limits``):
    which limit (``scope``), whose attempt (``key``: a keyed hash of the
    visitor's address or the e-mail typed, never the value), and when. Counted
    in the database, so every worker sees the same count. Personal data with a
    deletion date: ``expires_at``, the end of its window, after which the
    daily job deletes the row."""

    __tablename__ = "core_rate_limit_hit"
    # The count: one key's attempts in one limit since a moment, read in index order.
    __table_args__ = (Index("ix_core_rate_limit_hit_scope_key_at", "scope", "key", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=80)
    #: HMAC-SHA256 (hex) of the key's name and value under the site's secret key.
    key: str = Field(max_length=64)
    at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)


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
    #: The HTML alternative of ``body`` ("" for plain text only): a newsletter.
    html_body: str = Field(default="")
    #: Extra headers as JSON pairs (``List-Unsubscribe``, ``List-Unsubscribe-Post``), "" for none.
    headers: str = Field(default="")


class MailAddress(SQLModel, table=True):
    """How delivery to one address has gone (issue 20): failures in a row,
    refusals (bounces), and ``paused_at`` once it kept failing, after which
    the outbox holds its messages until an admin resumes it
    (``/-/admin/e-post``). A row exists only for an address that failed; it
    is deleted when a message to it goes through and nothing is paused."""

    __tablename__ = "core_mail_address"

    id: int | None = Field(default=None, primary_key=True)
    address: str = Field(max_length=254, unique=True, index=True)
    failures: int = Field(default=0)
    bounces: int = Field(default=0)
    last_error: str = Field(default="", max_length=500)
    last_failed_at: datetime | None = None
    paused_at: datetime | None = None


class NoticeRecipient(SQLModel, table=True):
    """Someone who gets notifications (``core.notices``): the kinds they
    switched off, and the random token of the link in every notice that
    opens their settings without an account. Kept while anything is
    switched off (the daily job deletes rows that switch nothing off after
    ``core.notices.KEEP_UNUSED``)."""

    __tablename__ = "core_notice_recipient"

    id: int | None = Field(default=None, primary_key=True)
    address: str = Field(max_length=254, unique=True, index=True)
    token: str = Field(max_length=64, unique=True, index=True)
    #: The switched-off kinds, space-separated keys ("webportal.application").
    muted: str = Field(default="")
    created_at: datetime = Field(default_factory=utcnow)


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
# Settings changed from the web (issue 19, core.web_settings): a core table too.
from core import setting_changes as _setting_changes  # noqa: E402,F401


class SearchDocument(SQLModel, table=True):
    """One searchable thing in the site search (``core.search_index``): an own
    row of a plugin's (``origin`` 0) or a peer's federated copy (``origin`` the
    peer's id), kept up to date as the content changes. SQLite indexes
    ``search_text`` and ``title_text`` with FTS5 (``search_fts``) and
    PostgreSQL with GIN indexes on their ``tsvector``; both hold the same
    tokens, words and their Swedish Snowball stems (``core.search.index_text``)."""

    __tablename__ = "core_search_document"
    __table_args__ = (
        UniqueConstraint("kind", "origin", "ref"),
        # A kind's page in name order, read in index order.
        Index("ix_core_search_document_kind_sort", "kind", "sort_key"),
        # PostgreSQL's full-text indexes (SQLite's is the FTS5 table the migration makes).
        Index(
            "ix_core_search_document_fts",
            text("to_tsvector('simple'::regconfig, search_text)"),
            postgresql_using="gin",
        ).ddl_if(dialect="postgresql"),
        Index(
            "ix_core_search_document_title_fts",
            text("to_tsvector('simple'::regconfig, title_text)"),
            postgresql_using="gin",
        ).ddl_if(dialect="postgresql"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    origin: int = Field(default=0, index=True)
    origin_name: str = Field(default="", max_length=200)
    origin_url: str = Field(default="", max_length=500)
    ref: str = Field(max_length=500)
    title: str = Field(default="", max_length=300)
    summary: str = Field(default="", max_length=1000)
    #: A short line of facts under the title ("Idrott · Karlskoga").
    meta: str = Field(default="", max_length=300)
    url: str = Field(default="", max_length=1000)
    #: Swedish name order (``core.search.sort_key``), compared byte by byte.
    sort_key: str = Field(default="", max_length=300)
    published: datetime | None = None
    search_text: str = Field(default="")
    title_text: str = Field(default="")


from core.oidc import models as _oidc_models  # noqa: E402,F401


class ContentVersion(SQLModel, table=True):
    """One row whose number goes up in every transaction that changes what a
    page can show (core.pagecache): the anonymous page cache of every
    worker and machine compares it before it answers from memory."""

    __tablename__ = "core_content_version"

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(default=0)
