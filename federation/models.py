"""Federation's tables, all prefixed ``federation_``.

- ``Tombstone``: own items that were deleted or hidden, published as RFC 6721
  ``at:deleted-entry`` so peers drop their copies.
- ``Peer``: a peer site or an external feed from site.toml, with its health
  (what the admin page shows) and its discovery document.
- ``FeedState``: one feed of a peer (a kind): conditional-GET validators,
  WebSub subscription and backfill progress.
- ``Entry``: a federated copy of one entry, sanitized, with its origin.
- ``Subscription``: the hub's side: who subscribed to our feeds.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.api import utcnow


class Tombstone(SQLModel, table=True):
    __tablename__ = "federation_tombstone"
    __table_args__ = (UniqueConstraint("kind", "ref"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32, index=True)
    ref: str = Field(max_length=300)  # the deleted entry's tag URI
    deleted_at: datetime = Field(default_factory=utcnow)


class Peer(SQLModel, table=True):
    __tablename__ = "federation_peer"

    id: int | None = Field(default=None, primary_key=True)
    #: A peer's base URL, or an external feed's URL: how site.toml names it.
    url: str = Field(max_length=500, unique=True)
    name: str = Field(max_length=200)
    external: bool = Field(default=False)
    #: From the peer's /.well-known/paraply (None until discovered).
    discovery: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    hub: str = Field(default="", max_length=500)
    last_attempt_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error_at: datetime | None = None
    #: The last error in plain Swedish, for the admin page; empty when healthy.
    last_error: str = Field(default="", max_length=500)
    failures: int = Field(default=0)  # consecutive, for back-off
    items_received: int = Field(default=0)
    next_attempt_at: datetime | None = None
    #: Added from the web by a join request (not in site.toml).
    joined: bool = Field(default=False)


class FeedState(SQLModel, table=True):
    __tablename__ = "federation_feed"
    __table_args__ = (UniqueConstraint("peer_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    peer_id: int = Field(foreign_key="federation_peer.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=32)
    url: str = Field(max_length=500)
    etag: str = Field(default="", max_length=200)
    last_modified: str = Field(default="", max_length=100)
    #: Archives (RFC 5005) already walked, so a backfill runs once.
    backfilled: bool = Field(default=False)
    #: WebSub: our callback's secret token and HMAC secret for this feed.
    callback_token: str = Field(default="", max_length=64, index=True)
    secret: str = Field(default="", max_length=128)
    lease_until: datetime | None = None
    subscribed_at: datetime | None = None


class Entry(SQLModel, table=True):
    __tablename__ = "federation_entry"
    __table_args__ = (UniqueConstraint("peer_id", "kind", "entry_id"),)

    id: int | None = Field(default=None, primary_key=True)
    peer_id: int = Field(foreign_key="federation_peer.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=32, index=True)
    entry_id: str = Field(max_length=500)  # the origin's id (tag URI)
    title: str = Field(max_length=300)
    link: str = Field(default="", max_length=1000)  # http(s) only, or empty
    summary: str = Field(default="")  # plain text
    content_html: str = Field(default="")  # sanitized
    author: str = Field(default="", max_length=200)
    categories: str = Field(default="", max_length=500)  # comma-separated
    fields: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    published: datetime = Field(index=True)
    updated: datetime
    received_at: datetime = Field(default_factory=utcnow)
    #: Set by a tombstone or by a complete feed that no longer lists it.
    deleted_at: datetime | None = Field(default=None, index=True)
    search_text: str = Field(default="")


class Subscription(SQLModel, table=True):
    __tablename__ = "federation_subscription"
    __table_args__ = (UniqueConstraint("topic", "callback"),)

    id: int | None = Field(default=None, primary_key=True)
    topic: str = Field(max_length=500, index=True)
    callback: str = Field(max_length=500)
    secret: str = Field(default="", max_length=200)
    lease_until: datetime
    created_at: datetime = Field(default_factory=utcnow)
    last_delivery_at: datetime | None = None
    last_delivery_error: str = Field(default="", max_length=300)


class JoinRequest(SQLModel, table=True):
    """A join request made from the web (issue 19): ``outgoing`` ones this
    site sent (an acceptance is only taken for one of these), incoming ones
    for the admin to accept or decline. ``status``: pending, accepted, declined."""

    __tablename__ = "federation_join_request"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=500, index=True)
    name: str = Field(max_length=200)
    outgoing: bool = Field(default=False)
    status: str = Field(default="pending", max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    answered_at: datetime | None = None


class Nonce(SQLModel, table=True):
    """A signed request's nonce, kept until its timestamp could no longer
    pass ``keys.check``, so the same request is never taken twice."""

    __tablename__ = "federation_nonce"

    id: int | None = Field(default=None, primary_key=True)
    value: str = Field(max_length=100, unique=True)
    expires_at: datetime = Field(index=True)
