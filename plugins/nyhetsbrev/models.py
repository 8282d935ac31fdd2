"""The newsletter's tables: subscribers (kept only while subscribed, with
their consent) and issues."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from core.api import N_, utcnow


class IssueState(StrEnum):
    DRAFT = "draft"
    SENT = "sent"


class Subscriber(SQLModel, table=True):
    """An address that asked for the newsletter. Unconfirmed until the link
    in the confirmation mail is used (double opt-in); deleted at once when
    it unsubscribes, and after ``confirm_days`` if never confirmed."""

    __tablename__ = "nyhetsbrev_subscriber"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    #: The secret of the subscriber's links (confirm, settings, unsubscribe).
    token: str = Field(max_length=64, unique=True, index=True)
    #: "sv" or "en": the language of the mail it gets.
    language: str = Field(default="sv", max_length=8)
    created_at: datetime = Field(default_factory=utcnow)
    #: The consent as shown when the address was given, and when it was confirmed.
    consent_text: str = Field(default="", max_length=500)
    confirmed_at: datetime | None = Field(default=None, index=True)
    #: The topics chosen, comma-separated (``TOPICS``): the monthly newsletter,
    #: the site's news, the site's events.
    topics: str = Field(default="nyhetsbrev", max_length=200)
    #: How often the digest of the non-newsletter topics comes: "dagligen" or "veckovis".
    frequency: str = Field(default="veckovis", max_length=16)
    #: When the last digest was sent: the next one lists what is newer.
    last_digest_at: datetime | None = Field(default=None)
    #: The member associations followed, comma-separated slugs: their news
    #: and events come in the digest. Deleted with the row.
    associations: str = Field(default="", max_length=2000)


#: Topic key -> the ``NewsletterItem.section`` it collects (None: the monthly
#: issue, or "natverket": the neighbouring sites' news and events, as federation received them).
TOPICS: dict[str, str | None] = {
    "nyhetsbrev": None,
    "nyheter": "Nyheter",
    "evenemang": "Evenemang",
    "natverket": None,
}
#: The federated kinds the "natverket" topic collects, with their digest heading.
NETWORK_KINDS: dict[str, str] = {"news": N_("Nyheter i nätverket"), "events": N_("Evenemang i nätverket")}
#: How many associations one address may follow.
MAX_FOLLOWED = 50
FREQUENCIES = ("dagligen", "veckovis")


def topics_of(subscriber: Subscriber) -> set[str]:
    return {t for t in subscriber.topics.split(",") if t in TOPICS}


def followed_of(subscriber: Subscriber) -> list[str]:
    """The slugs of the associations ``subscriber`` follows, in order."""
    return [s for s in subscriber.associations.split(",") if s]


class Issue(SQLModel, table=True):
    """One newsletter issue. ``items`` is the chosen content as JSON
    (``NewsletterItem`` fields), frozen when the issue is composed so the
    archive shows what was sent."""

    __tablename__ = "nyhetsbrev_issue"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    editorial: str = Field(default="")  # Markdown
    period_start: datetime
    period_end: datetime
    items: str = Field(default="[]")
    state: str = Field(default=IssueState.DRAFT, max_length=8, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = Field(default=None, index=True)
    recipients: int = Field(default=0)
